"""Text laid out on pages → paragraphs and table grids, for the fixed-layout forms.

PDF, OFD and OCR give no paragraphs or tables, only pieces of text at positions and the lines
drawn on the page. This package rebuilds the intermediate form from them, the same way for all
three, so a fix here helps every fixed-layout form:

- **Ruled tables** (``ruled``): horizontal and vertical rules that cross each other make a
  table; the positions of the rules cut it into slots, and two neighbouring slots with no rule
  between them are one merged cell. The grid is positional, merged cells expanded as the HTML
  reader does (the top-left position holds the text, covered positions are empty).
- **Unruled tables** (``unruled``): consecutive lines made of several pieces far apart, with
  numbers among them, are cut into columns where every line has a gap.
- Everything else is running text, one paragraph per printed line, top to bottom.

Coordinates are any unit (points, millimetres, pixels) with y growing downwards; tolerances
are taken from the text's own height, so the same code reads a PDF in points and a scan in
pixels.

The rooms: ``pieces`` (text runs with their boxes, rules, pages, printed lines), ``ruled`` and
``unruled`` (the two kinds of table), ``pages`` (a page's blocks in reading order, and the one
page loop with its :data:`~gongkai.readers.positioned.pages.MAX_PAGES`, shared by PDF, OFD and
OCR).
"""
