import { ARS040MI } from './ars040mi';
import { ARS200MI } from './ars200mi';
import { CRCCINMI } from './crccinmi';
import { CRS055MI } from './crs055mi';
import { CRS610MI } from './crs610mi';
import { CUSEXTMI } from './cusextmi';
import type { ProgramHandlers } from './engine';
import { GLS840MI } from './gls840mi';
import { createMRS001MI } from './mrs001mi';
import { MNS150MI } from './mns150mi';
import { OIS100MI } from './ois100mi';
import { OIS350MI } from './ois350mi';
import { OIS390MI } from './ois390mi';

/** every MI program the simulator serves, by name */
export function createPrograms(): Record<string, ProgramHandlers> {
  const programs: Record<string, ProgramHandlers> = { CRS610MI, OIS100MI, OIS350MI, ARS200MI, ARS040MI, GLS840MI, CRS055MI, CRCCINMI, OIS390MI, CUSEXTMI, MNS150MI };
  programs.MRS001MI = createMRS001MI(() => Object.keys(programs).sort());
  return programs;
}
