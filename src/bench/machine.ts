/** The machine a study ran on, recorded with every result. */
import { availableParallelism, cpus, release, totalmem, type as osType } from 'node:os';
import { readFileSync } from 'node:fs';

/** What the results depend on. */
export interface MachineInfo {
  cpuModel: string;
  /** `os.availableParallelism()`: the CPUs this process may use. */
  cores: number;
  /** Logical CPUs the OS reports. */
  logicalCpus: number;
  /** Total memory in bytes. */
  memoryBytes: number;
  os: string;
  arch: string;
  node: string;
  v8: string;
  /** From /proc/cpuinfo when readable (virtual machines often report a generic model). */
  cacheSize?: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  const info: MachineInfo = {
    cpuModel: list[0]?.model.trim() || 'unknown',
    cores: availableParallelism(),
    logicalCpus: list.length,
    memoryBytes: totalmem(),
    os: `${osType()} ${release()}`,
    arch: process.arch,
    node: process.version,
    v8: process.versions.v8,
  };
  try {
    const match = /^cache size\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) info.cacheSize = match[1].trim();
  } catch {
    // not Linux
  }
  return info;
}
