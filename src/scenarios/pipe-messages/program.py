# Message passing: a producer process sends numbers through a one-way Pipe.
import multiprocessing as mp
import time

COUNT = 5


def producer(w):
    for i in range(COUNT):
        time.sleep(0.2)  # make the next message
        w.send(i)
    w.send(None)  # the sentinel: no more messages


def consumer(r):
    while True:
        msg = r.recv()  # blocks until a message arrives
        if msg is None:
            break
        print(f"consumer got {msg}")
    print("consumer: the sentinel, done")


def main():
    r, w = mp.Pipe(duplex=False)  # r only receives, w only sends
    procs = [
        mp.Process(target=producer, args=(w,), name="Producer"),
        mp.Process(target=consumer, args=(r,), name="Consumer"),
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print("main: both processes ended")


if __name__ == "__main__":
    main()
