# When do threads help? The same tasks three ways: one after another, in threads, in processes.
import multiprocessing
import threading
import time

TASKS = 4
KIND = "io"  # or "cpu"
MODE = "all"  # or "serial", "threads", "processes"
LATENCY = 0.5  # seconds an I/O task waits
COUNT = 5_000_000  # how far a CPU task counts down


def task():
    if KIND == "io":
        time.sleep(LATENCY)  # stands for waiting on a socket or a disk: the GIL is free meanwhile
    else:
        n = COUNT
        while n > 0:  # pure Python: needs the GIL all the time
            n -= 1


def timed(mode):
    start = time.perf_counter()
    if mode == "serial":
        for _ in range(TASKS):
            task()
    else:
        kind = threading.Thread if mode == "threads" else multiprocessing.Process
        workers = [kind(target=task) for _ in range(TASKS)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    return time.perf_counter() - start


def main():
    modes = ["serial", "threads", "processes"] if MODE == "all" else [MODE]
    for mode in modes:
        seconds = timed(mode)
        print(f"{TASKS} {KIND} tasks, {mode}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
