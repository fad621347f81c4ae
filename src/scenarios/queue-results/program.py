# Results come back through a multiprocessing.Queue in the order the processes finish.
import math
import multiprocessing as mp

NUMBERS = 4
WORK = "factorial"  # or "square"


def compute(n, results):
    value = math.factorial(n) if WORK == "factorial" else n * n
    results.put((n, value))


def main():
    results = mp.Queue()
    procs = [mp.Process(target=compute, args=(n, results)) for n in range(1, NUMBERS + 1)]
    for p in procs:
        p.start()
    got = [results.get() for _ in procs]  # get first: a process that put items ends once they are read
    for p in procs:
        p.join()
    print("completion order:", [n for n, _ in got])
    print("results:", sorted(got))


if __name__ == "__main__":
    main()
