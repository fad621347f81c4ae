# A hand-off between three processes with a Condition and an Event.
import multiprocessing as mp
import time

FIXED = False  # True: one event per hand-off, so no wake-up can be missed


def writer(cond, written, drawn):
    print("Writer: writing")
    time.sleep(2)
    with cond:
        cond.notify_all()
    written.set()
    print("Writer: done")


def drawer(cond, written, drawn):
    written.wait()
    with cond:
        print("Drawer: drawing")
        time.sleep(2)
        cond.notify_all()
    drawn.set()
    print("Drawer: done")


def assembler(cond, written, drawn):
    written.wait()
    if FIXED:
        drawn.wait()
    else:
        with cond:
            cond.wait()  # misses the notify if the Drawer had the lock first
    print("Assembler: assembling")
    time.sleep(2)
    print("Assembler: done")


def main():
    cond = mp.Condition()
    written = mp.Event()
    drawn = mp.Event()
    procs = [
        mp.Process(target=f, args=(cond, written, drawn), name=f.__name__.capitalize())
        for f in (writer, drawer, assembler)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()


if __name__ == "__main__":
    main()
