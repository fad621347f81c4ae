# Check-then-act: threads claim items they have not seen yet, in one shared set.
import threading
import time

THREADS = 2
ITEMS = 10
USE_LOCK = False

seen = set()
lock = threading.Lock()


def claim(item):
    if item not in seen:  # check
        time.sleep(0)  # yield: another thread may check the same item now
        seen.add(item)  # act
        print(f"{threading.current_thread().name} claimed {item}")


def worker():
    for item in range(ITEMS):
        if USE_LOCK:
            with lock:
                claim(item)
        else:
            claim(item)


def main():
    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"seen = {sorted(seen)}")


if __name__ == "__main__":
    main()
