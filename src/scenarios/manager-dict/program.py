# Shared state through a Manager: the dict lives in the manager's own process.
from multiprocessing import Manager, Process

WORKERS = 4


def worker(shared, n):
    shared[f"worker-{n}"] = n * n  # a round trip to the manager process


if __name__ == "__main__":
    with Manager() as manager:
        shared = manager.dict()
        workers = [Process(target=worker, args=(shared, n)) for n in range(WORKERS)]
        for p in workers:
            p.start()
        for p in workers:
            p.join()
        print(shared.copy())
        print(f"{len(shared)} keys, expected {WORKERS}")
