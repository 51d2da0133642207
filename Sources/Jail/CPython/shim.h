// CPython embedding API for bexy-zygote (Debian: python3-dev, pkg-config python3-embed).
#pragma once
#define PY_SSIZE_T_CLEAN
#include <Python.h>
