#!/usr/bin/env bash
# Re-run every experiment; output goes to stdout. Usage:
#   PY=/path/to/python bash benchmarks/experiments/run_all.sh > results.txt 2>&1
# The machine has 2 cores: run it on an otherwise idle machine.
set -e
cd "$(dirname "$0")"
PY=${PY:-python}
export PYTHONPATH=.
hdr() { echo; echo "##### $* ($(cut -d' ' -f1-3 /proc/loadavg))"; }
hdr a; $PY a_async_dispatch.py
hdr b; $PY b_input_layout.py
hdr b sync+1thread; $PY b_input_layout.py --no-async --one-thread
hdr c; $PY c_donation.py
hdr c sync+1thread; $PY c_donation.py --no-async --one-thread
hdr d; $PY d_call_paths.py
hdr d sync+1thread; $PY d_call_paths.py --no-async --one-thread
hdr e; $PY e_xla_flags.py
hdr f; $PY f_compute_budget.py
hdr f sync+1thread; $PY f_compute_budget.py --no-async --one-thread
hdr g; $PY g_ablation.py
hdr baselines; $PY ../jax_baselines.py all --epochs 9 > /dev/null
