"""How many CPU threads interp's torch and BLAS work may use, restored afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def compute_threads(threads: int) -> Iterator[None]:
    """Run the block with `threads` torch intra-op threads and BLAS/OpenMP pools of that size.

    On a CPU shared with other busy processes, several threads wait at every parallel barrier for
    a thread that is not scheduled: a forward pass of SmolLM2 measured 10-25x slower with 2 threads
    than with 1 on this project's 2-core machine under load. One thread is the default for that reason.
    """
    import torch
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        torch.set_num_threads(previous)
