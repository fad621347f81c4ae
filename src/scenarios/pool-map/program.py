# Pool.map: the parent cuts the items into chunks; pool worker processes compute them.
import time
from multiprocessing import Pool

PROCESSES = 4
ITEMS = 10
CHUNKSIZE = None  # None: Pool picks ITEMS / (4 * PROCESSES), rounded up


def square(x):
    time.sleep(0.1)  # stands for real work
    return x * x


if __name__ == "__main__":
    pool = Pool(PROCESSES)
    results = pool.map(square, range(ITEMS), CHUNKSIZE)
    pool.close()
    pool.join()
    print(results)
