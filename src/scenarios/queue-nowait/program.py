# get_nowait() after an empty() check can raise queue.Empty; try/except queue.Empty cannot lose an item.
import queue
import threading
import time

GETTERS = 3
ITEMS = 10
STYLE = "check-then-act"  # or "try-except"

q = queue.Queue(maxsize=2)
done = threading.Event()  # the putter has put every item


def putter():
    for item in range(ITEMS):
        q.put(item)
        time.sleep(0.01)
    done.set()


def getter():
    name = threading.current_thread().name
    while not (done.is_set() and q.empty()):
        if STYLE == "check-then-act":
            if q.empty():  # check
                time.sleep(0.001)
                continue
            time.sleep(0)  # another getter may run between the check and the act
            item = q.get_nowait()  # act: raises queue.Empty if another getter took the item
        else:
            try:
                item = q.get_nowait()
            except queue.Empty:
                time.sleep(0.001)
                continue
        print(f"{name} got {item}")


def main():
    getters = [threading.Thread(target=getter) for _ in range(GETTERS)]
    for t in getters + [threading.Thread(target=putter)]:
        t.start()
    for t in getters:
        t.join()
    print(f"{q.qsize()} of {ITEMS} items left in the queue")


if __name__ == "__main__":
    main()
