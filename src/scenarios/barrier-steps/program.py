# Two threads in lock-step: a Barrier(2) makes each wait for the other at every step.
import random
import threading
import time

STEPS = 3

barrier = threading.Barrier(2)
counters = [0, 0]


def worker(me):
    other = 1 - me
    for step in range(STEPS):
        seen = counters[other]  # read the other's counter
        time.sleep(random.uniform(0, 0.2))  # work for a while
        barrier.wait()  # both have read
        counters[me] = counters[me] + 1  # write own counter
        barrier.wait()  # both have written
        print(f"{threading.current_thread().name}: step {step}, the other was at {seen}")


def main():
    threads = [threading.Thread(target=worker, args=(me,)) for me in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"counters = {counters}")


if __name__ == "__main__":
    main()
