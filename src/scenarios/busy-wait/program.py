# Busy waiting: the consumer spins on a shared list until the producer's command arrives.
import threading
import time

ITEMS = 10
PAUSE = 0.1
USE_EVENT = False  # True: wait on an Event instead of spinning

items = []
commands = []
ready = threading.Event()


def producer():
    for i in range(ITEMS):
        items.append(i)
        time.sleep(PAUSE)
    commands.append("stop")
    ready.set()


def consumer():
    if USE_EVENT:
        ready.wait()
    else:
        while not commands:
            pass  # spins: busy, but doing nothing useful
    print(f"consumer got {commands[0]!r} after {len(items)} items: {items}")


def main():
    threads = [threading.Thread(target=consumer), threading.Thread(target=producer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
