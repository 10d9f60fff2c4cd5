"""Sphinx configuration of the course website; `python -m tools.site` builds it from the notebooks.

tools/site.py writes the Sphinx source folder (build/site-src/: index.md from README.md and a copy of every
chapter with build-time tags); this folder holds only the settings and the site's stylesheet.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools import site as course  # noqa: E402

project = course.course_title()
html_title = project
copyright = "the course authors"
extensions = ["myst_nb"]
exclude_patterns = [".doctrees", "**.ipynb_checkpoints"]

# The committed outputs are the page: nothing is executed.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath"]

# MathJax 3 from the site itself (tools/site.py copies it from node_modules into _static/mathjax/).
mathjax_path = course.MATHJAX_PATH
# No `window.MathJax` settings in the page head: a question's script (jupyterquiz) then leaves MathJax alone
# instead of reading the version of a MathJax that is not loaded yet (an error, or a CDN request).
myst_update_mathjax = False

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_context = {"default_mode": "light"}
html_theme_options = {
    "repository_url": course.repository_url(),
    "repository_branch": "main",
    "path_to_docs": "notebooks",
    "use_repository_button": bool(course.repository_url()),
    "use_download_button": False,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navbar_persistent": [],  # one search field, in the sidebar
}
