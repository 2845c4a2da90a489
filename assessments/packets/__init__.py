"""Calibration packets: what a committee reads about one person, on a page and as a PDF.

By what each part computes: `content` (a packet's data, and the packet as a document of
its own), `text` (what people wrote, shortened), `chart` (the roll-ups per area and their
chart), `pdf` (HTML to PDF with WeasyPrint, for the engineer's own copy too), `jobs` (many
packets as one PDF, written in the background on a queue of their own) and `views` (the
packet's page and PDF, the engineer's own copy, asking for many at once). The layout
itself is the packet templates' (under templates/jinja2/assessments/) and
static/css/packet.css's.
"""
