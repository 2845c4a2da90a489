"""The calibration committee's figures, the disagreement map and the results export, as data.

Every figure is an aggregate the database computes (GROUP BY), never ratings read
into Python: one level of a large company is a thousand people and eighty thousand
ratings. So the committee's page runs the same queries whatever the number of
people, and its time follows the time of those aggregates. What the pages count is
decided in one place (permissions.counted): reviewed or later, never the
reader's own assessment. Templates draw the charts from the dataclasses here.

By what each part computes: `filters` (whom the pages count), `figures` (outcomes,
area scores, managers, gaps, people), `page` (the committee's page), `disagreements`
(the map) and `results` (the CSV).
"""

from assessments.calibration.disagreements import disagreement_map
from assessments.calibration.page import committee_page
from assessments.calibration.results import results_table

__all__ = ["committee_page", "disagreement_map", "results_table"]
