# A race condition: two threads add to one counter without a lock.
import threading
import time

THREADS = 2
ITERATIONS = 1000
USE_LOCK = False

counter = 0
lock = threading.Lock()


def worker():
    global counter
    for _ in range(ITERATIONS):
        if USE_LOCK:
            lock.acquire()
        x = counter  # read
        time.sleep(0)  # yield: another thread may run now
        counter = x + 1  # write
        if USE_LOCK:
            lock.release()


def main():
    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = THREADS * ITERATIONS
    print(f"counter = {counter}, expected {expected}, lost {expected - counter}")


if __name__ == "__main__":
    main()
