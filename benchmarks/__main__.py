"""``python -m benchmarks``: run the benchmarks (see README.md; ``--help`` for the options).

Example::

    python -m benchmarks --quick
"""

from .runner import main

main()
