# fork copies a lock that another thread holds; spawn gives the child a fresh one.
import multiprocessing as mp
import threading
import time

START_METHOD = "fork"  # or "spawn"

lock = threading.Lock()  # spawn: the child re-imports this module and gets a new lock
held = threading.Event()


def holder():
    with lock:
        held.set()
        time.sleep(1)  # holds the lock while the main thread starts a child


def child():
    print("child: taking the lock")
    with lock:  # fork: a copy held by Holder, a thread the child does not have
        print("child: got the lock")


def main():
    mp.set_start_method(START_METHOD)
    t = threading.Thread(target=holder, name="Holder")
    t.start()
    held.wait()
    p = mp.Process(target=child, name="Child")
    p.start()
    p.join()  # fork: waits forever
    t.join()
    print("main: done")


if __name__ == "__main__":
    main()
