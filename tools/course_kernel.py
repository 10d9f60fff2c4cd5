"""The course's Python kernel: ipykernel, reporting its language without the Python patch version.

JupyterLab copies the kernel's `language_info` into a notebook's metadata as soon as the kernel
connects. ipykernel's includes the interpreter's full version (3.11.7, 3.12.4, ...), which the committed
chapters cannot carry for every learner's Python, so every chapter showed as modified the moment its
kernel started, and asked to be saved on close. This kernel reports the same `language_info` without the
version, which is exactly what the chapters carry (tools/execute.py writes it), so opening a chapter
changes nothing. Setup makes it the environment's `python3` kernel (tools/lab.py install_environment).

    python -m tools.course_kernel -f CONNECTION_FILE      # what the kernelspec runs
"""
from __future__ import annotations

from ipykernel.ipkernel import IPythonKernel
from ipykernel.kernelapp import IPKernelApp


class CourseKernel(IPythonKernel):
    """IPython's kernel, with `language_info` as the committed chapters carry it."""

    language_info = {key: value for key, value in IPythonKernel.language_info.items() if key != "version"}


if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=CourseKernel)
