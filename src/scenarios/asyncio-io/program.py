# Many slow I/O waits on one thread: asyncio switches tasks at every await.
import asyncio
import time

CONNECTIONS = 100
LATENCY = 0.5
BLOCKING = False  # True: time.sleep() holds up the whole event loop


async def fetch(i):
    if BLOCKING:
        time.sleep(LATENCY)
    else:
        await asyncio.sleep(LATENCY)  # waiting for the server's reply
    return i


async def main():
    start = time.perf_counter()
    tasks = [asyncio.create_task(fetch(i)) for i in range(CONNECTIONS)]
    results = await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    print(f"{len(results)} requests of {LATENCY} s each took {elapsed:.2f} s")


if __name__ == "__main__":
    asyncio.run(main())
