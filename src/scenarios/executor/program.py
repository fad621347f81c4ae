# concurrent.futures: a bounded set of workers runs the tasks; result() waits for each.
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

KIND = "thread"  # or "process"
MAX_WORKERS = 2
TASKS = 6


def power(base, exp):
    time.sleep(0.2)  # stands for real work
    return pow(base, exp)


if __name__ == "__main__":
    Executor = ThreadPoolExecutor if KIND == "thread" else ProcessPoolExecutor
    with Executor(max_workers=MAX_WORKERS) as executor:
        futures = [executor.submit(power, 2, n) for n in range(TASKS)]
        for n, future in enumerate(futures):
            print(f"pow(2, {n}) = {future.result()}")
        print(list(executor.map(power, [3] * TASKS, range(TASKS))))
