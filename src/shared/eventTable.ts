/**
 * A run's events held compactly: one typed array per field (columns), strings and objects' states
 * interned, and an event made into a TraceEvent object only when something asks for it (a replay
 * feeding its trace, hover, narration, saving, comparing). A million events as JSON.parse makes
 * them weigh about 95 B each in Chromium's heap (161 in Node's); here about 50, and the strings and
 * states the events share are held once.
 *
 * The page keeps a live run's events and an opened recording's events here. The recording format's
 * version 2 writes the same columns to the file (`toColumns`, `EventColumns`), so that a million
 * events parse as a few long arrays of numbers rather than a million objects.
 */
import { OBJECT_KINDS, OPS, OP_RESULTS, THREAD_END_REASONS, THREAD_STATES, type TraceEvent } from './trace'

/** Event types by their code, in the table and in the file (`EventColumns.type`). */
export const EVENT_TYPES = ['thread-start', 'state', 'object', 'op', 'print', 'thread-end', 'result'] as const
export type EventType = (typeof EVENT_TYPES)[number]

const START = 0
const STATE = 1
const OBJECT = 2
const OP = 3
const PRINT = 4
const END = 5
const RESULT = 6

const codes = <T extends string>(names: readonly T[]): Map<string, number> =>
  new Map(names.map((n, i) => [n, i]))
const TYPE_CODE = codes(EVENT_TYPES)
const STATE_CODE = codes(THREAD_STATES)
const KIND_CODE = codes(OBJECT_KINDS)
const OP_CODE = codes(OPS)
const RESULT_CODE = codes(OP_RESULTS)
const REASON_CODE = codes(THREAD_END_REASONS)

/** An object's state after an op, as events carry it. */
export type StateRecord = Record<string, number | null>

/**
 * Version 2's events in the file: parallel arrays. The first five hold every event's fields, one
 * entry per event; each type's own fields are in its group, one entry per event of that type, in
 * the events' order. Strings (names, texts, values, and the enums: states, ops, results, kinds,
 * reasons) are indices into `strings`; an op's state after it is an index into `states`. A null
 * count or string is -1.
 */
export interface EventColumns {
  strings: string[]
  states: StateRecord[]
  /** Each event's type, an index into EVENT_TYPES. */
  type: number[]
  tUs: number[]
  pid: number[]
  tid: number[]
  seq: number[]
  'thread-start': { name: number[]; daemon: boolean[]; parent: number[] }
  state: { state: number[]; obj: number[]; line: number[] }
  object: { obj: number[]; kind: number[]; name: number[]; size: number[] }
  op: {
    obj: number[]
    op: number[]
    result: number[]
    line: number[]
    after: number[]
    cause: number[]
    value: number[]
  }
  print: { text: number[]; line: number[] }
  'thread-end': { reason: number[]; error: number[] }
  result: { key: number[]; value: unknown[] }
}

/** Each type's own fields in EventColumns, in the order the file writes them. */
export const COLUMN_GROUPS: { readonly [T in EventType]: readonly (keyof EventColumns[T])[] } = {
  'thread-start': ['name', 'daemon', 'parent'],
  state: ['state', 'obj', 'line'],
  object: ['obj', 'kind', 'name', 'size'],
  op: ['obj', 'op', 'result', 'line', 'after', 'cause', 'value'],
  print: ['text', 'line'],
  'thread-end': ['reason', 'error'],
  result: ['key', 'value'],
}

/** A null count or string, in the file; in the table a null number is NaN. */
export const NULL_REF = -1
/** What the `ref` column holds for no ref. */
const NO_REF = -1

const nullable = (v: number): number | null => (Number.isNaN(v) ? null : v)

/**
 * In the 32-bit columns (`seq`, `obj`): no object, and a number too large for the column, which the
 * table keeps by its row in a map instead (a seq or object id past four billion: brokered object ids
 * start at 2^31, and the format allows any safe integer).
 */
export const NONE = 0xffffffff
export const WIDE = 0xfffffffe
/** An op's code holds its result too: the op in the low 5 bits, the result above them. */
const OP_BITS = 5
const OP_MASK = (1 << OP_BITS) - 1

/**
 * The columns of the table. Which fields a row uses depends on its type:
 * - `code`: the state, op and its result (`opCode`), object kind or end reason (an index into its
 *   enum); 1 for a daemon thread;
 * - `obj`: the object (state: NONE for none; op; object);
 * - `ref`: an op's cause, a thread's parent, an object's size, as an index into the table's list of
 *   them (`refOf`; -1 for none, read as NaN): most events have none, and a column of doubles cost
 *   eight bytes an event for the quarter or so that do;
 * - `str`: a thread's or object's name, a print's text, an op's value, an end's error, a result's key
 *   (an index into `strings`, -1 for null);
 * - `more`: an op's state after it (an index into `states`), a result's value (into `values`).
 */
const FIELDS = {
  type: Uint8Array,
  tUs: Float64Array,
  pid: Uint16Array,
  tid: Uint16Array,
  seq: Uint32Array,
  code: Uint8Array,
  line: Uint16Array,
  obj: Uint32Array,
  ref: Int32Array,
  str: Int32Array,
  more: Uint16Array,
} as const
/**
 * Columns that start at 16 bits, which every run's processes, every lesson's lines and the distinct
 * states its objects went through fit, and are made 32-bit (`fit`) by the first value that does
 * not: two bytes an event each, of about forty.
 */
const WIDER = { pid: Uint32Array, line: Int32Array, more: Int32Array } as const
type Widening = keyof typeof WIDER
type Field = keyof typeof FIELDS
type Columns = { [F in Exclude<Field, Widening>]: InstanceType<(typeof FIELDS)[F]> } & {
  [F in Widening]: InstanceType<(typeof FIELDS)[F]> | InstanceType<(typeof WIDER)[F]>
}
type AnyColumn = { set(a: ArrayLike<number>): void; subarray(from: number, to: number): ArrayLike<number> }

/** Columns of `capacity` rows; of the same widths as `like`'s, if given, holding its first `rows` rows. */
function allocate(capacity: number, like?: Columns, rows = 0): Columns {
  const out = {} as Record<Field, unknown>
  for (const f of Object.keys(FIELDS) as Field[]) {
    const make = (like ? like[f].constructor : FIELDS[f]) as new (n: number) => AnyColumn
    const column = new make(capacity)
    if (like) column.set((like[f] as unknown as AnyColumn).subarray(0, rows))
    out[f] = column
  }
  return out as Columns
}

export class EventTable {
  length = 0
  /** The columns, `capacity` rows each; rows from `length` on are unused. */
  private c: Columns
  readonly strings: string[]
  readonly states: StateRecord[]
  /** Result events' values (any JSON). */
  readonly values: unknown[] = []
  /** The numbers `ref` refers to: `refs[c.ref[i]]`, `refCount` of them. */
  private refs = new Float64Array(64)
  private refCount = 0
  /** Seqs and object ids too large for their column (WIDE there), by row. */
  private readonly wideSeq = new Map<number, number>()
  private readonly wideObj = new Map<number, number>()
  private stringIds: Map<string, number> | null = null
  private stateIds: Map<string, number> | null = null

  constructor(capacity = 1024, strings: string[] = [], states: StateRecord[] = []) {
    this.c = allocate(Math.max(1, capacity))
    this.strings = strings
    this.states = states
  }

  /** A table of these events, in this order. */
  static fromEvents(events: readonly TraceEvent[]): EventTable {
    const table = new EventTable(events.length)
    table.append(events)
    return table
  }

  /** The raw columns, for loops that read many rows (sorting, checks): only rows below `length` hold events. */
  get columns(): Readonly<Columns> {
    return this.c
  }

  /** Adds events at the end. */
  append(events: readonly TraceEvent[], from = 0, to = events.length): void {
    this.reserve(this.length + (to - from))
    let c = this.c
    for (let k = from; k < to; k++) {
      const e = events[k]
      if (e.pid > 0xffff || ('line' in e && e.line > 0xffff)) {
        this.fit('pid', e.pid)
        if ('line' in e) this.fit('line', e.line)
        c = this.c
      }
      const i = this.length++
      c.tUs[i] = e.tUs
      c.pid[i] = e.pid
      c.tid[i] = e.tid
      c.seq[i] = e.seq < WIDE ? e.seq : this.wide('seq', i, e.seq)
      switch (e.type) {
        case 'state':
          c.type[i] = STATE
          c.code[i] = STATE_CODE.get(e.state) as number
          c.obj[i] = e.obj === null ? NONE : e.obj < WIDE ? e.obj : this.wide('obj', i, e.obj)
          c.line[i] = e.line
          break
        case 'op':
          c.type[i] = OP
          c.obj[i] = e.obj < WIDE ? e.obj : this.wide('obj', i, e.obj)
          c.code[i] = opCode(OP_CODE.get(e.op) as number, RESULT_CODE.get(e.result) as number)
          c.line[i] = e.line
          c = this.setMore(i, this.stateId(e.after))
          c.ref[i] = this.putRef(e.cause ?? NaN)
          c.str[i] = e.value === null ? NULL_REF : this.stringId(e.value)
          break
        case 'thread-start':
          c.type[i] = START
          c.str[i] = this.stringId(e.name)
          c.code[i] = e.daemon ? 1 : 0
          c.ref[i] = this.putRef(e.parent ?? NaN)
          break
        case 'object':
          c.type[i] = OBJECT
          c.obj[i] = e.obj < WIDE ? e.obj : this.wide('obj', i, e.obj)
          c.code[i] = KIND_CODE.get(e.kind) as number
          c.str[i] = this.stringId(e.name)
          c.ref[i] = this.putRef(e.size)
          break
        case 'print':
          c.type[i] = PRINT
          c.str[i] = this.stringId(e.text)
          c.line[i] = e.line
          break
        case 'thread-end':
          c.type[i] = END
          c.code[i] = REASON_CODE.get(e.reason) as number
          c.str[i] = e.error === null ? NULL_REF : this.stringId(e.error)
          break
        case 'result':
          c.type[i] = RESULT
          c.str[i] = this.stringId(e.key)
          c = this.setMore(i, this.values.push(e.value) - 1)
          break
      }
    }
  }

  /** The event in row `i`, as a TraceEvent (a new object; strings and states are the table's own). */
  event(i: number): TraceEvent {
    const c = this.c
    const tUs = c.tUs[i]
    const pid = c.pid[i]
    const tid = c.tid[i]
    const seq = this.seqOf(i)
    // Literals with their fields in the engine's order: one shape per type, as the engine makes them.
    switch (c.type[i]) {
      case STATE:
        return {
          tUs,
          pid,
          tid,
          seq,
          type: 'state',
          state: THREAD_STATES[c.code[i]],
          obj: this.objOf(i),
          line: c.line[i],
        }
      case OP:
        return {
          tUs,
          pid,
          tid,
          seq,
          type: 'op',
          obj: this.objOf(i) as number,
          op: OPS[opOfCode(c.code[i])],
          result: OP_RESULTS[resultOfCode(c.code[i])],
          line: c.line[i],
          after: this.states[c.more[i]],
          cause: nullable(this.refOf(i)),
          value: this.stringOf(c.str[i]),
        }
      case START:
        return {
          tUs,
          pid,
          tid,
          seq,
          type: 'thread-start',
          name: this.strings[c.str[i]],
          daemon: c.code[i] === 1,
          parent: nullable(this.refOf(i)),
        }
      case OBJECT:
        return {
          tUs,
          pid,
          tid,
          seq,
          type: 'object',
          obj: this.objOf(i) as number,
          kind: OBJECT_KINDS[c.code[i]],
          name: this.strings[c.str[i]],
          size: this.refOf(i),
        }
      case PRINT:
        return { tUs, pid, tid, seq, type: 'print', text: this.strings[c.str[i]], line: c.line[i] }
      case END:
        return {
          tUs,
          pid,
          tid,
          seq,
          type: 'thread-end',
          reason: THREAD_END_REASONS[c.code[i]],
          error: this.stringOf(c.str[i]),
        }
      default:
        return {
          tUs,
          pid,
          tid,
          seq,
          type: 'result',
          key: this.strings[c.str[i]],
          value: this.values[c.more[i]],
        }
    }
  }

  /** Rows `from` to before `to` as TraceEvents, as Array.prototype.slice would give them. */
  slice(from = 0, to = this.length): TraceEvent[] {
    const at = (i: number): number => Math.min(Math.max(i < 0 ? this.length + i : i, 0), this.length)
    const end = at(to)
    const start = Math.min(at(from), end)
    const out = new Array<TraceEvent>(end - start)
    for (let i = start; i < end; i++) out[i - start] = this.event(i)
    return out
  }

  /** Every event, in order, as TraceEvents (for...of, as over the array this replaced). */
  *[Symbol.iterator](): IterableIterator<TraceEvent> {
    for (let i = 0; i < this.length; i++) yield this.event(i)
  }

  /** The rows given (indices), in that order, as TraceEvents. */
  pick(rows: ArrayLike<number>, from = 0, to = rows.length): TraceEvent[] {
    const out = new Array<TraceEvent>(to - from)
    for (let k = from; k < to; k++) out[k - from] = this.event(rows[k])
    return out
  }

  /** The latest time of any event, or 0. */
  maxUs(): number {
    const tUs = this.c.tUs
    let max = 0
    for (let i = 0; i < this.length; i++) if (tUs[i] > max) max = tUs[i]
    return max
  }

  /** The events as version 2 of the recording format writes them. */
  toColumns(): EventColumns {
    const c = this.c
    const n = this.length
    // Arrays of their final length, filled by index: pushing into twenty growing arrays took twice as long.
    const counts = new Array<number>(EVENT_TYPES.length).fill(0)
    for (let i = 0; i < n; i++) counts[c.type[i]]++
    const sized = <T = number>(count: number): T[] => new Array<T>(count)
    const [starts, states, objects, ops, prints, ends, results] = counts
    const out: EventColumns = {
      strings: this.strings,
      states: this.states,
      type: sized(n),
      tUs: sized(n),
      pid: sized(n),
      tid: sized(n),
      seq: sized(n),
      'thread-start': { name: sized(starts), daemon: sized<boolean>(starts), parent: sized(starts) },
      state: { state: sized(states), obj: sized(states), line: sized(states) },
      object: { obj: sized(objects), kind: sized(objects), name: sized(objects), size: sized(objects) },
      op: {
        obj: sized(ops),
        op: sized(ops),
        result: sized(ops),
        line: sized(ops),
        after: sized(ops),
        cause: sized(ops),
        value: sized(ops),
      },
      print: { text: sized(prints), line: sized(prints) },
      'thread-end': { reason: sized(ends), error: sized(ends) },
      result: { key: sized(results), value: sized<unknown>(results) },
    }
    // Enums go to the file as strings (by index into `strings`), not as this build's codes.
    const enumId = (names: readonly string[]): number[] => names.map((s) => this.stringId(s))
    const stateIds = enumId(THREAD_STATES)
    const opIds = enumId(OPS)
    const resultIds = enumId(OP_RESULTS)
    const kindIds = enumId(OBJECT_KINDS)
    const reasonIds = enumId(THREAD_END_REASONS)
    const ref = (v: number): number => (Number.isNaN(v) ? NULL_REF : v)
    const at = new Array<number>(EVENT_TYPES.length).fill(0)
    for (let i = 0; i < n; i++) {
      const type = c.type[i]
      out.type[i] = type
      out.tUs[i] = c.tUs[i]
      out.pid[i] = c.pid[i]
      out.tid[i] = c.tid[i]
      out.seq[i] = c.seq[i] === WIDE ? (this.wideSeq.get(i) as number) : c.seq[i]
      const k = at[type]++
      switch (type) {
        case STATE: {
          const g = out.state
          g.state[k] = stateIds[c.code[i]]
          g.obj[k] = this.objOf(i) ?? NULL_REF
          g.line[k] = c.line[i]
          break
        }
        case OP: {
          const g = out.op
          g.obj[k] = this.objOf(i) as number
          g.op[k] = opIds[opOfCode(c.code[i])]
          g.result[k] = resultIds[resultOfCode(c.code[i])]
          g.line[k] = c.line[i]
          g.after[k] = c.more[i]
          g.cause[k] = ref(this.refOf(i))
          g.value[k] = c.str[i]
          break
        }
        case START: {
          const g = out['thread-start']
          g.name[k] = c.str[i]
          g.daemon[k] = c.code[i] === 1
          g.parent[k] = ref(this.refOf(i))
          break
        }
        case OBJECT: {
          const g = out.object
          g.obj[k] = this.objOf(i) as number
          g.kind[k] = kindIds[c.code[i]]
          g.name[k] = c.str[i]
          g.size[k] = this.refOf(i)
          break
        }
        case PRINT:
          out.print.text[k] = c.str[i]
          out.print.line[k] = c.line[i]
          break
        case END:
          out['thread-end'].reason[k] = reasonIds[c.code[i]]
          out['thread-end'].error[k] = c.str[i]
          break
        default:
          out.result.key[k] = c.str[i]
          out.result.value[k] = this.values[c.more[i]]
      }
    }
    return out
  }

  /** Room for `rows` rows, growing the columns by doubling. */
  reserve(rows: number): void {
    const capacity = this.c.type.length
    if (rows <= capacity) return
    this.c = allocate(Math.max(rows, capacity * 2), this.c, this.length)
  }

  /**
   * Drops the room past `length` (a table that will not grow again), and the maps that intern
   * strings and states as events are appended (made again if it does grow): a run whose events carry
   * a new value each (a counter) kept a map entry a value.
   */
  trim(): void {
    this.stringIds = null
    this.stateIds = null
    if (this.refs.length > this.refCount) this.refs = this.refs.slice(0, Math.max(1, this.refCount))
    if (this.c.type.length === this.length) return
    this.c = allocate(this.length, this.c, this.length)
  }

  /**
   * Makes room in a 16-bit column for `value` (a pid or a line): the first one past 65,535 makes the
   * column 32-bit, keeping what it holds. Writers that hold the columns must take them again after.
   */
  fit(field: Widening, value: number): void {
    const column = this.c[field]
    if (value <= 0xffff || !(column instanceof Uint16Array)) return
    const wider = new WIDER[field](column.length)
    wider.set(column)
    this.c = { ...this.c, [field]: wider }
  }

  /**
   * Keeps a seq or object id too large for its column, for row `i`; returns what the column holds
   * for it (WIDE). For the reader of version 2's columns, which writes the columns itself.
   */
  wide(field: 'seq' | 'obj', i: number, value: number): number {
    ;(field === 'seq' ? this.wideSeq : this.wideObj).set(i, value)
    return WIDE
  }

  /** Sets row `i`'s `more`, widening the column if it must; returns the columns (new if it did). */
  private setMore(i: number, value: number): Columns {
    this.fit('more', value)
    this.c.more[i] = value
    return this.c
  }

  /** Row `i`'s ref (an op's cause, a thread's parent, an object's size); NaN for none. */
  refOf(i: number): number {
    const k = this.c.ref[i]
    return k < 0 ? NaN : this.refs[k]
  }

  /** Keeps a ref and gives what the `ref` column holds for it (-1 for NaN, none). */
  putRef(value: number): number {
    if (Number.isNaN(value)) return NO_REF
    if (this.refCount === this.refs.length) {
      const grown = new Float64Array(this.refs.length * 2)
      grown.set(this.refs)
      this.refs = grown
    }
    this.refs[this.refCount] = value
    return this.refCount++
  }

  /** Row `i`'s object id, or null for none. */
  objOf(i: number): number | null {
    const obj = this.c.obj[i]
    return obj === NONE ? null : obj === WIDE ? (this.wideObj.get(i) as number) : obj
  }

  /** Row `i`'s seq. */
  seqOf(i: number): number {
    const seq = this.c.seq[i]
    return seq === WIDE ? (this.wideSeq.get(i) as number) : seq
  }

  /** A string by its id in `strings`, or null for NULL_REF. */
  stringOf(id: number): string | null {
    return id === NULL_REF ? null : this.strings[id]
  }

  private stringId(s: string): number {
    if (!this.stringIds) this.stringIds = new Map(this.strings.map((v, i) => [v, i]))
    let id = this.stringIds.get(s)
    if (id === undefined) {
      id = this.strings.push(s) - 1
      this.stringIds.set(s, id)
    }
    return id
  }

  /**
   * States are interned by their JSON (keys in their order): ops on one object repeat a few states
   * over and over, and the events made from the table then share them.
   */
  private stateId(after: StateRecord): number {
    if (!this.stateIds) this.stateIds = new Map(this.states.map((v, i) => [JSON.stringify(v), i]))
    const key = JSON.stringify(after)
    let id = this.stateIds.get(key)
    if (id === undefined) {
      id = this.states.push(after) - 1
      this.stateIds.set(key, id)
    }
    return id
  }
}

/** The tables behind records whose events are held in one (holdEventsIn). */
const tables = new WeakMap<object, EventTable>()

/** The table a record's events are held in, if they are (a recording opened compactly, a live run). */
export function eventTableOf(record: object): EventTable | null {
  return tables.get(record) ?? null
}

/**
 * Gives `record` the table's events: `record.events` stays what it was to every reader (an array of
 * TraceEvents, made when read, and kept only while something holds it), and `eventTableOf(record)`
 * is the table, for readers that can use it without making a million objects. Assigning
 * `record.events` replaces the table with the array given.
 */
export function holdEventsIn<R extends object>(record: R, table: EventTable): R & { events: TraceEvent[] } {
  let made: WeakRef<TraceEvent[]> | null = null
  Object.defineProperty(record, 'events', {
    enumerable: true,
    configurable: true,
    get(): TraceEvent[] {
      let events = made?.deref()
      if (!events) {
        events = table.slice()
        made = new WeakRef(events)
      }
      return events
    },
    set(events: TraceEvent[]): void {
      tables.delete(record)
      Object.defineProperty(record, 'events', {
        value: events,
        writable: true,
        enumerable: true,
        configurable: true,
      })
    },
  })
  tables.set(record, table)
  return record as R & { events: TraceEvent[] }
}

/** An op's code in the table: the op and its result, each an index into its enum. */
export function opCode(op: number, result: number): number {
  return op | (result << OP_BITS)
}

export const EVENT_TYPE_CODES = { START, STATE, OBJECT, OP, PRINT, END, RESULT } as const

/** An op's code split: the op's and the result's index into OPS and OP_RESULTS. */
export function opOfCode(code: number): number {
  return code & OP_MASK
}
export function resultOfCode(code: number): number {
  return code >> OP_BITS
}
export const ENUM_CODES = { TYPE_CODE, STATE_CODE, KIND_CODE, OP_CODE, RESULT_CODE, REASON_CODE } as const
