import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandSchema, UIElement } from '../api/commands';
import { defaultsOf, diffAgainstDefaults, fieldNamedIn, fillFrom, suffixed, formatValue, parseNumber, scriptFile, visibleKeys } from '../components/commands/form';
import { createSettledRunner } from '../lib/latest';

function el(key: string, type: UIElement['type'], def: UIElement['default'], extra: Partial<UIElement> = {}): UIElement {
  return {
    key,
    type,
    label: key.replace(/_/g, ' '),
    help: '',
    default: def,
    dtype: null,
    step: null,
    hydra_override: key,
    hydra_mode: 'set',
    options: null,
    options_source: null,
    visible_if: null,
    validation: { required: false, required_if: null, min: null, max: null, min_length: null, pattern: null },
    ...extra,
  };
}

const TRAIN: CommandSchema = {
  id: 'train',
  label: 'Train',
  description: '',
  script: 'train.py',
  argv: ['python', 'train.py'],
  constant_overrides: [],
  model_suffix: { target: 'exp_name', parts: ['architecture'], separator: '-' },
  ui_elements: [
    el('exp_name', 'text_input', 'ocr_training'),
    el('architecture', 'selectbox', 'dbnet', { options: ['craft', 'dbnet'] }),
    el('batch_size', 'selectbox', 8, { options: [4, 8, 16] }),
    el('learning_rate', 'number', 0.001, { dtype: 'float' }),
    el('tags', 'multiselect', [], { options: ['a', 'b'] }),
    el('note', 'info', null),
    el('resume', 'checkbox', false),
    el('resume_checkpoint', 'text_input', null, { visible_if: { resume: true } }),
    el('resume_strict', 'checkbox', true, { visible_if: { resume_checkpoint: ['x.ckpt', 'y.ckpt'] } }),
  ],
};

describe('defaults and visibility', () => {
  it('takes every default and skips info notes', () => {
    expect(defaultsOf(TRAIN)).toEqual({
      exp_name: 'ocr_training',
      architecture: 'dbnet',
      batch_size: 8,
      learning_rate: 0.001,
      tags: [],
      resume: false,
      resume_checkpoint: null,
      resume_strict: true,
    });
  });

  it('fills a preset over the defaults and drops keys the form does not have', () => {
    const v = fillFrom(TRAIN, { architecture: 'craft', colour: 'red' });
    expect(v.architecture).toBe('craft');
    expect(v.exp_name).toBe('ocr_training');
    expect('colour' in v).toBe(false);
  });

  it('hides a field whose condition fails, and a field that looks at a hidden one', () => {
    const base = defaultsOf(TRAIN);
    expect(visibleKeys(TRAIN, base).has('resume_checkpoint')).toBe(false);
    // resume_strict's condition holds on its own, but what it looks at is hidden: it hides too.
    const stale = { ...base, resume_checkpoint: 'x.ckpt' };
    expect(visibleKeys(TRAIN, stale).has('resume_strict')).toBe(false);
    const on = { ...stale, resume: true };
    expect(visibleKeys(TRAIN, on).has('resume_checkpoint')).toBe(true);
    expect(visibleKeys(TRAIN, on).has('resume_strict')).toBe(true);
    expect(visibleKeys(TRAIN, { ...on, resume_checkpoint: 'z.ckpt' }).has('resume_strict')).toBe(false);
  });
});

describe('diff against the defaults', () => {
  it('is empty at the defaults', () => {
    expect(diffAgainstDefaults(TRAIN, defaultsOf(TRAIN))).toEqual([]);
  });

  it('lists changed shown fields in form order, old and new', () => {
    const v = { ...defaultsOf(TRAIN), learning_rate: 0.01, exp_name: 'x', tags: ['b'] };
    expect(diffAgainstDefaults(TRAIN, v)).toEqual([
      { key: 'exp_name', label: 'exp name', from: 'ocr_training', to: 'x' },
      { key: 'learning_rate', label: 'learning rate', from: 0.001, to: 0.01 },
      { key: 'tags', label: 'tags', from: [], to: ['b'] },
    ]);
  });

  it('compares lists by content and leaves hidden fields out', () => {
    const v = { ...defaultsOf(TRAIN), tags: [], resume_checkpoint: 'x.ckpt' };
    expect(diffAgainstDefaults(TRAIN, v)).toEqual([]);
    expect(diffAgainstDefaults(TRAIN, { ...v, resume: true }).map((d) => d.key)).toEqual(['resume', 'resume_checkpoint']);
  });

  it('notes the model suffix when it is on', () => {
    expect(diffAgainstDefaults(TRAIN, defaultsOf(TRAIN), true)).toEqual([
      { key: 'append_model_suffix', label: 'Append model suffix', from: false, to: true },
    ]);
  });

  it('formats values for people', () => {
    expect([null, '', [], ['a', 'b'], true, false, 8].map((v) => formatValue(v))).toEqual([
      '(empty)',
      '(empty)',
      '(none)',
      'a, b',
      'on',
      'off',
      '8',
    ]);
  });
});

describe('script files', () => {
  const command = "python train.py exp_name='it'\\''s'";

  it('a .sh starts with the shebang and holds the command verbatim', () => {
    const f = scriptFile('posix', command, TRAIN, { ...defaultsOf(TRAIN), exp_name: 'receipts v2' });
    expect(f.name).toBe('train-receipts_v2.sh');
    expect(f.content).toBe(`#!/usr/bin/env sh\n${command}\n`);
  });

  it('a .ps1 holds the PowerShell line; names stay portable', () => {
    const f = scriptFile('powershell', 'python train.py', TRAIN, { exp_name: '../../etc/passwd' });
    expect(f.name).toBe('train-etc_passwd.ps1');
    expect(f.content).toBe('python train.py\n');
    const bare = scriptFile('posix', 'x', { ...TRAIN, model_suffix: null }, {});
    expect(bare.name).toBe('train.sh');
    expect(scriptFile('posix', 'x', TRAIN, { exp_name: null }).name).toBe('train.sh');
  });

  it('changes into the project folder first, quoted for its shell', () => {
    const folder = "/home/me/my project's";
    expect(scriptFile('posix', 'python train.py', TRAIN, {}, folder).content).toBe(
      `#!/usr/bin/env sh\ncd "/home/me/my project's" || exit 1\npython train.py\n`,
    );
    expect(scriptFile('powershell', 'python train.py', TRAIN, {}, folder).content).toBe(
      "Set-Location -LiteralPath '/home/me/my project''s'\npython train.py\n",
    );
  });
});

describe('number text', () => {
  it('empty is null, half-typed is not a value, numbers are numbers', () => {
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('  ')).toBeNull();
    expect(parseNumber('1e')).toBeUndefined();
    expect(parseNumber('-')).toBeUndefined();
    expect(parseNumber('1e-3')).toBe(0.001);
    expect(parseNumber('12')).toBe(12);
  });
});

describe('settled runner: one request per settled change', () => {
  interface Call {
    req: number;
    signal: AbortSignal;
    resolve: (v: string) => void;
    reject: (e: unknown) => void;
  }
  let calls: Call[];
  let results: Array<[string, number]>;
  let errors: unknown[];

  beforeEach(() => {
    vi.useFakeTimers();
    calls = [];
    results = [];
    errors = [];
  });
  afterEach(() => vi.useRealTimers());

  const make = () =>
    createSettledRunner<number, string>({
      delayMs: 250,
      run: (req, signal) =>
        new Promise<string>((resolve, reject) => {
          calls.push({ req, signal, resolve, reject });
        }),
      onResult: (res, req) => results.push([res, req]),
      onError: (e) => errors.push(e),
    });

  it('a burst of changes sends only the last, once it settles', () => {
    const r = make();
    for (let i = 1; i <= 10; i++) {
      r.schedule(i);
      vi.advanceTimersByTime(100);
    }
    expect(calls).toHaveLength(0);
    vi.advanceTimersByTime(150);
    expect(calls.map((c) => c.req)).toEqual([10]);
    vi.advanceTimersByTime(10_000);
    expect(calls).toHaveLength(1);
  });

  it('N settled changes are N requests; repeating a value is none', () => {
    const r = make();
    for (const v of [1, 2, 3]) {
      r.schedule(v);
      vi.advanceTimersByTime(300);
      r.schedule(v); // a re-render with the same request
      vi.advanceTimersByTime(300);
    }
    expect(calls.map((c) => c.req)).toEqual([1, 2, 3]);
  });

  it('a change undone within the delay sends nothing', () => {
    const r = make();
    r.schedule(1);
    vi.advanceTimersByTime(300);
    r.schedule(2);
    vi.advanceTimersByTime(100);
    r.schedule(1);
    vi.advanceTimersByTime(1000);
    expect(calls.map((c) => c.req)).toEqual([1]);
  });

  it('a newer request aborts the one in flight, and a late old reply is dropped', async () => {
    const r = make();
    r.schedule(1);
    vi.advanceTimersByTime(250);
    r.schedule(2);
    vi.advanceTimersByTime(250);
    expect(calls[0].signal.aborted).toBe(true);
    expect(calls[1].signal.aborted).toBe(false);
    calls[1].resolve('two');
    calls[0].resolve('one'); // out of order: arrives after the newer answer
    await vi.runAllTimersAsync();
    expect(results).toEqual([['two', 2]]);
  });

  it('reports the latest failure, never a superseded one', async () => {
    const r = make();
    r.schedule(1);
    vi.advanceTimersByTime(250);
    r.schedule(2);
    vi.advanceTimersByTime(250);
    calls[0].reject(new DOMException('aborted', 'AbortError'));
    calls[1].reject(new Error('422 learning_rate'));
    await vi.runAllTimersAsync();
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('422 learning_rate');
  });

  it('cancel forgets the pending timer and what was sent (a strict-mode remount sends once)', async () => {
    const r = make();
    r.schedule(1);
    r.cancel(); // the effect's cleanup before the timer fires
    r.schedule(1); // the effect runs again
    vi.advanceTimersByTime(250);
    expect(calls.map((c) => c.req)).toEqual([1]);
    r.cancel();
    expect(calls[0].signal.aborted).toBe(true);
    calls[0].resolve('late');
    await vi.runAllTimersAsync();
    expect(results).toEqual([]);
    r.schedule(1); // after a cancel the same request is sent again
    vi.advanceTimersByTime(250);
    expect(calls).toHaveLength(2);
  });
});

describe('the field a refusal names', () => {
  it('is the first quoted key of the form', () => {
    expect(fieldNamedIn("Field 'max_epochs' (Max epochs) must be a whole number, got 3.5.", TRAIN)).toBeNull();
    expect(fieldNamedIn("Field 'batch_size' (Batch size) has no option 3 (options: 4, 8, 16).", TRAIN)).toBe('batch_size');
    expect(fieldNamedIn("Field 'colour' is not part of the 'train' form.", TRAIN)).toBeNull();
    expect(fieldNamedIn('The server is down.', TRAIN)).toBeNull();
  });
});

describe('model suffix preview', () => {
  it('appends the parts once, and nothing to an empty name', () => {
    const v = defaultsOf(TRAIN);
    expect(suffixed(TRAIN, v)).toBe('ocr_training-dbnet');
    expect(suffixed(TRAIN, { ...v, exp_name: 'run-dbnet' })).toBe('run-dbnet');
    expect(suffixed(TRAIN, { ...v, exp_name: '' })).toBeNull();
    expect(suffixed({ ...TRAIN, model_suffix: null }, v)).toBeNull();
  });
});
