"""Root conftest: loads the course's notebook plugin for every pytest run from this repository.

tools/nbval_plugin.py fixes the numerical environment before any notebook kernel starts and lets
nbval compare SVG figures with a 0.01 px tolerance on coordinates; read it for why.
"""
pytest_plugins = ["tools.nbval_plugin"]
