# Processes add to one multiprocessing.Value, with and without its lock.
import multiprocessing as mp

PROCESSES = 2
INCREMENTS = 5000
USE_LOCK = False


def worker(counter):
    for _ in range(INCREMENTS):
        if USE_LOCK:
            with counter.get_lock():
                counter.value += 1
        else:
            counter.value += 1  # a read, then a write: another process may write in between


def main():
    counter = mp.Value("i", 0)  # an int in shared memory, with a lock of its own
    procs = [mp.Process(target=worker, args=(counter,)) for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    expected = PROCESSES * INCREMENTS
    print(f"counter = {counter.value}, expected {expected}, lost {expected - counter.value}")


if __name__ == "__main__":
    main()
