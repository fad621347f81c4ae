# Producers and consumers on a bounded queue: put() blocks when it is full, get() when it is empty.
import queue
import random
import threading
import time

PRODUCERS = 2
CONSUMERS = 2
MAXSIZE = 3
DURATION = 2.0

q = queue.Queue(maxsize=MAXSIZE)
stop = threading.Event()


def producer(n):
    made = 0
    while not stop.is_set():
        q.put(f"p{n}-{made}")  # blocks while the queue is full
        made += 1
        time.sleep(random.uniform(0, 0.1))
    print(f"{threading.current_thread().name} made {made}")


def consumer():
    used = 0
    while True:
        item = q.get()  # blocks while the queue is empty
        if item is None:
            break
        used += 1
        time.sleep(random.uniform(0, 0.1))
    print(f"{threading.current_thread().name} used {used}")


def main():
    consumers = [threading.Thread(target=consumer) for _ in range(CONSUMERS)]
    producers = [threading.Thread(target=producer, args=(n,)) for n in range(PRODUCERS)]
    for t in consumers + producers:
        t.start()
    time.sleep(DURATION)
    stop.set()
    for t in producers:
        t.join()
    for _ in consumers:
        q.put(None)  # one sentinel per consumer, after every item
    for t in consumers:
        t.join()


if __name__ == "__main__":
    main()
