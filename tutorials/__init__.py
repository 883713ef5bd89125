"""Runnable ports of the LXMLS deep-learning labs, used as end-to-end checks of symgraph."""
