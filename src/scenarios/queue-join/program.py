# queue.Queue with task_done() and join(); the consumer is a daemon thread.
import queue
import threading
import time

ITEMS = 5

q = queue.Queue()


def consumer():
    while True:
        item = q.get()  # blocks while the queue is empty
        print(f"working on {item}")
        time.sleep(0.2)
        print(f"finished {item}")
        q.task_done()


def main():
    threading.Thread(target=consumer, daemon=True).start()
    for item in range(ITEMS):
        q.put(item)
    print("all items put")
    q.join()  # returns once every item is marked done
    print("all work completed")


if __name__ == "__main__":
    main()
