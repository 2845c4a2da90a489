"""Ladder files: the formats a career framework is read from and written to.

- ``registry``: the formats, one entry each (suffixes, label, reader, writer);
- ``files``: bytes as people hand them over, bounded, decoded and read by their format;
- ``document``: a level as every format reads and writes it, with the limits on it;
- ``inline``: inline Markdown, the text of every format;
- ``markdown``, ``html``, ``csv``: one module (or package) per format.

Nothing here touches the database: ``ladder.exporters`` turns stored levels into
documents, and ``ladder.services`` stores what was read.
"""
