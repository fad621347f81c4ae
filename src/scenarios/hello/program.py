# Creating, starting and joining threads or processes; each one knows its name.
import multiprocessing
import threading
import time

KIND = "thread"  # or "process"
COUNT = 3
TIMES = 3


def name():
    if KIND == "thread":
        return threading.current_thread().name
    return multiprocessing.current_process().name


def worker():
    for i in range(TIMES):
        print(f"hello {i} from {name()}")
        time.sleep(0.1)


def main():
    kind = threading.Thread if KIND == "thread" else multiprocessing.Process
    workers = [kind(target=worker) for _ in range(COUNT)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(f"{name()}: all {COUNT} workers finished")


if __name__ == "__main__":
    main()
