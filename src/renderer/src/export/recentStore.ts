/**
 * The recordings opened or saved lately, kept in the page's IndexedDB with their bytes, so that the
 * Recent list can open them again (a page cannot reopen a file by its path). Newest first; at most
 * RECENT_MAX, and none larger than RECENT_MAX_BYTES. Where IndexedDB is missing or refuses (a private
 * window, a full disk) the list is simply empty.
 */

export const RECENT_MAX = 8
export const RECENT_MAX_BYTES = 50 * 1024 * 1024

export interface RecentEntry {
  name: string
  /** When it was last opened or saved, ms since the epoch. */
  at: number
  size: number
}

interface Stored extends RecentEntry {
  bytes: Uint8Array
}

const DB_NAME = 'interleave'
const STORE = 'recent-recordings'

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error('IndexedDB failed'))
  })
}

let opened: Promise<IDBDatabase> | null = null

function database(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('no IndexedDB'))
      return
    }
    const req = indexedDB.open(DB_NAME, 1)
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'name' })
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error('IndexedDB failed'))
  })
  return opened
}

async function all(): Promise<Stored[]> {
  const db = await database()
  return request(db.transaction(STORE).objectStore(STORE).getAll() as IDBRequest<Stored[]>)
}

export async function listRecent(): Promise<RecentEntry[]> {
  try {
    return (await all()).map(({ name, at, size }) => ({ name, at, size })).sort((a, b) => b.at - a.at)
  } catch {
    return []
  }
}

export async function readRecent(name: string): Promise<Uint8Array | null> {
  try {
    const db = await database()
    const stored = await request(
      db.transaction(STORE).objectStore(STORE).get(name) as IDBRequest<Stored | undefined>,
    )
    return stored?.bytes ?? null
  } catch {
    return null
  }
}

/** Remembers a recording; the oldest beyond RECENT_MAX are forgotten. A large one is not kept. */
export async function rememberRecent(name: string, bytes: Uint8Array): Promise<void> {
  if (bytes.length > RECENT_MAX_BYTES) return
  try {
    const db = await database()
    const older = (await all()).filter((e) => e.name !== name).sort((a, b) => b.at - a.at)
    const tx = db.transaction(STORE, 'readwrite')
    const store = tx.objectStore(STORE)
    store.put({ name, at: Date.now(), size: bytes.length, bytes } satisfies Stored)
    for (const old of older.slice(RECENT_MAX - 1)) store.delete(old.name)
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB failed'))
    })
  } catch {
    // The list is a convenience: without it, files still open from disk.
  }
}

export async function forgetRecent(): Promise<void> {
  try {
    const db = await database()
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).clear())
  } catch {
    // as above
  }
}
