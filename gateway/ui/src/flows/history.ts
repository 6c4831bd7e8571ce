import { useCallback, useState } from 'react';

/** Undo/redo over immutable snapshots (the definition and its layout together). */
export function useHistory<T>(initial: T) {
  const [state, setState] = useState<{ past: T[]; present: T; future: T[] }>({ past: [], present: initial, future: [] });
  const push = useCallback((next: T | ((current: T) => T | undefined)) => {
    setState((s) => {
      const value = typeof next === 'function' ? (next as (c: T) => T | undefined)(s.present) : next;
      if (value === undefined || value === s.present) return s;
      return { past: [...s.past.slice(-199), s.present], present: value, future: [] };
    });
  }, []);
  const undo = useCallback(() => setState((s) => (s.past.length ? { past: s.past.slice(0, -1), present: s.past[s.past.length - 1]!, future: [s.present, ...s.future] } : s)), []);
  const redo = useCallback(() => setState((s) => (s.future.length ? { past: [...s.past, s.present], present: s.future[0]!, future: s.future.slice(1) } : s)), []);
  const reset = useCallback((value: T) => setState({ past: [], present: value, future: [] }), []);
  return { present: state.present, canUndo: state.past.length > 0, canRedo: state.future.length > 0, push, undo, redo, reset };
}
