/** Faults made by swapping parts of ftp-ref (../fault.ts). */
import type { FaultPart } from '../fault.ts';
import type { FaultName } from '../index.ts';

export const LISTING_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = {};
