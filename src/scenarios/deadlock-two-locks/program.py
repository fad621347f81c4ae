# Two threads take two locks. In opposite orders, each can end up waiting for the other: a deadlock.
import threading
import time

ORDER = "opposite"  # or "same": both take lock_a first, and nothing can go wrong

lock_a = threading.Lock()
lock_b = threading.Lock()


def worker(first, second):
    name = threading.current_thread().name
    with first:
        print(f"{name} has its first lock")
        time.sleep(0.1)  # time enough for the other thread to take its first lock
        with second:
            print(f"{name} has both locks")


def main():
    if ORDER == "opposite":
        t2_locks = (lock_b, lock_a)
    else:
        t2_locks = (lock_a, lock_b)
    t1 = threading.Thread(target=worker, args=(lock_a, lock_b), name="T1")
    t2 = threading.Thread(target=worker, args=t2_locks, name="T2")
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    print("both threads finished")


if __name__ == "__main__":
    main()
