/**
 * The doorbells of process workers: slots of one mapped /dev/shm segment of the parent's, each holding a
 * worker's {@link Doorbell} words and its progress record (see progress.ts). Apart from doorbell.ts so that
 * thread workers, which need only the Doorbell, do not load the segment code when they start.
 */

import { createSegment, openSegmentCached } from '../shared/segment.js';
import { tryNative } from '../shared/native.js';
import { Doorbell, WORDS } from './doorbell.js';
import { PROGRESS_WORDS, ProgressWords } from './progress.js';

/** Where a process worker finds its doorbell: a segment name and a slot in it. */
export interface DoorbellSlot {
  segment: string;
  slot: number;
  /** Written in the slot by the parent: a worker that reads the same value shares the parent's memory. */
  nonce: number;
}

/** A slot: the doorbell's words, then the worker's progress record (see progress.ts), then spare. */
const SLOT_WORDS = 8;
const PROGRESS_AT = WORDS;
const NONCE_AT = PROGRESS_AT + PROGRESS_WORDS;
let nextNonce = (process.pid * 7919) | 1;
const SLOTS = 4096;

/**
 * The doorbells of this process's process workers: one mapped segment (created on first use, removed at exit
 * like every weft segment) whose slot 0 counts the active process workers and whose other slots are lent to
 * workers while they live. Without the native addon (which maps segments) process workers get no doorbell.
 */
export class ProcessDoorbells {
  private segment: { name: string; words: Int32Array } | undefined;
  private readonly free: number[] = [];
  private next = 1;

  /** A doorbell for a new process worker, or undefined when none can be had. */
  lend(): { doorbell: Doorbell; progress: ProgressWords; slot: DoorbellSlot } | undefined {
    if (!tryNative()) return undefined;
    const slot = this.free.pop() ?? (this.next < SLOTS ? this.next++ : undefined);
    if (slot === undefined) return undefined;
    if (!this.segment) {
      const { name, buffer } = createSegment(SLOTS * SLOT_WORDS * 4);
      this.segment = { name, words: new Int32Array(buffer) };
    }
    const words = this.segment.words;
    words.fill(0, slot * SLOT_WORDS, (slot + 1) * SLOT_WORDS);
    const nonce = (nextNonce = (nextNonce + 0x9e3779b1) | 0) || 1;
    Atomics.store(words, slot * SLOT_WORDS + NONCE_AT, nonce);
    return { doorbell: slotDoorbell(words, slot), progress: slotProgress(words, slot), slot: { segment: this.segment.name, slot, nonce } };
  }

  /** Takes a slot back once its worker has exited. */
  giveBack(slot: DoorbellSlot): void {
    if (slot.segment === this.segment?.name) this.free.push(slot.slot);
  }
}

/**
 * The process worker's side: its doorbell and progress record in the parent's segment. The record is
 * returned only when the slot holds the parent's nonce: a record the parent cannot see would make it
 * believe that nothing had started.
 */
export function openProcessDoorbell(slot: DoorbellSlot): { doorbell: Doorbell; progress: ProgressWords | undefined } {
  const words = new Int32Array(openSegmentCached(slot.segment));
  const shared = Atomics.load(words, slot.slot * SLOT_WORDS + NONCE_AT) === slot.nonce;
  return { doorbell: slotDoorbell(words, slot.slot), progress: shared ? slotProgress(words, slot.slot) : undefined };
}

function slotProgress(words: Int32Array, slot: number): ProgressWords {
  const at = slot * SLOT_WORDS + PROGRESS_AT;
  return new ProgressWords(words.subarray(at, at + PROGRESS_WORDS));
}

function slotDoorbell(words: Int32Array, slot: number): Doorbell {
  return new Doorbell(words.subarray(slot * SLOT_WORDS, slot * SLOT_WORDS + WORDS), words.subarray(0, 1), false);
}
