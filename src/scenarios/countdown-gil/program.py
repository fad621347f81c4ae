# CPU-bound work: threads share one GIL, processes each have their own.
import multiprocessing
import threading
import time

WORKERS = 2
COUNT = 20_000_000
MODE = "threads"  # or "processes"


def countdown(n):
    while n > 0:
        n -= 1


def main():
    kind = threading.Thread if MODE == "threads" else multiprocessing.Process
    workers = [kind(target=countdown, args=(COUNT,)) for _ in range(WORKERS)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    print(f"{WORKERS} {MODE} counted down from {COUNT:,} in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
