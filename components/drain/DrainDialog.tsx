'use client';

import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Instance } from '@/lib/model/instance';
import { drainInstance, drainMatching, type BulkDrainOutcome, type DrainFailure } from '@/lib/client/drainApi';
import {
  bulkPreview,
  bulkValues,
  CUSTOM_UNITS,
  describeSeconds,
  DURATION_PRESETS,
  guardRefuses,
  MAX_REASON,
  ttlFrom,
  type BulkField,
  type CustomUnit,
  type DurationChoice,
} from '@/lib/client/drainForm';
import { formatClockNear } from '@/lib/client/formatTime';
import { FailureBox } from './FailureBox';
import { Modal } from './Modal';

/** One instance, or every undrained instance of one zone or version of a service. */
export type DrainTarget = { kind: 'instance'; instance: Instance } | { kind: 'bulk'; service: string; field: BulkField };

interface Props {
  target: DrainTarget;
  /** The service's instances as the live state has them now (the dialog follows changes while open). */
  instances: readonly Instance[];
  onClose: () => void;
  /** A single drain was accepted; the live state will show it. */
  onDrained: (message: string) => void;
}

type FieldName = 'reason' | 'duration' | 'value';
type FieldErrors = Partial<Record<FieldName, string>>;

const FIELD_OF: Record<string, FieldName> = { reason: 'reason', ttlSeconds: 'duration', zone: 'value', version: 'value' };
const FIELD_LABELS: Record<BulkField, string> = { zone: 'Zone', version: 'Version' };

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The drain dialog: a reason (required, counted), a duration (presets or custom), who acts, and
 * for bulk drains which zone or version — with what it will drain and whether the last-passing
 * guard will refuse. Errors stay inside the dialog, next to the field they concern.
 */
export function DrainDialog({ target, instances, onClose, onDrained }: Props) {
  const id = useId();
  const service = target.kind === 'instance' ? target.instance.service : target.service;
  // The instance as it is now; the one we were opened with if it deregistered meanwhile.
  const live = target.kind === 'instance' ? (instances.find((i) => i.key === target.instance.key) ?? null) : null;
  const instance = target.kind === 'instance' ? (live ?? target.instance) : null;

  const values = useMemo(() => (target.kind === 'bulk' ? bulkValues(instances, target.field) : []), [instances, target]);
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState<DurationChoice>('1h');
  const [customAmount, setCustomAmount] = useState('30');
  const [customUnit, setCustomUnit] = useState<CustomUnit>('min');
  const [value, setValue] = useState(() => values.find((v) => v.undrained > 0)?.value ?? values[0]?.value ?? '');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<DrainFailure | null>(null);
  const [result, setResult] = useState<BulkDrainOutcome | null>(null);
  const [pendingFocus, setPendingFocus] = useState<FieldName | null>(null);

  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const customRef = useRef<HTMLInputElement>(null);
  const firstDurationRef = useRef<HTMLInputElement>(null);
  const valueRef = useRef<HTMLSelectElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  const preview = target.kind === 'bulk' && value !== '' ? bulkPreview(instances, target.field, value) : null;
  const singleGuard = instance !== null && instance.drain === null && guardRefuses(instances, [instance]);
  const ttl = ttlFrom(duration, customAmount, customUnit);
  const subject = target.kind === 'instance' ? target.instance.id : `${target.field} ${value}`;

  const fieldRefs = { reason: reasonRef, duration: duration === 'custom' ? customRef : firstDurationRef, value: valueRef };

  const submit = async (force: boolean) => {
    if (busy) return;
    const found: FieldErrors = {};
    const trimmed = reason.trim();
    if (trimmed === '') found.reason = 'Give a reason: it is shown to everyone watching and kept in history';
    else if (trimmed.length > MAX_REASON) found.reason = `At most ${MAX_REASON} characters`;
    if (!ttl.ok) found.duration = ttl.message;
    if (target.kind === 'bulk' && value === '') found.value = `Choose a ${target.field}`;
    setErrors(found);
    const first = (['value', 'reason', 'duration'] as const).find((field) => found[field] !== undefined);
    if (first) {
      setFailure(null);
      fieldRefs[first].current?.focus();
      return;
    }
    const body = { reason: trimmed, ...(ttl.ok && ttl.ttlSeconds !== undefined ? { ttlSeconds: ttl.ttlSeconds } : {}), ...(force ? { force: true } : {}) };
    setBusy(true);
    setFailure(null);
    let problem: DrainFailure;
    if (target.kind === 'instance') {
      const outcome = await drainInstance(service, target.instance.id, body);
      setBusy(false);
      if (outcome.ok) {
        onDrained(`Drain of ${target.instance.id} accepted; it shows Draining until its callers move away.`);
        onClose();
        return;
      }
      problem = outcome.failure;
    } else {
      const outcome = await drainMatching(service, { ...body, [target.field]: value });
      setBusy(false);
      if (outcome.ok) {
        setResult(outcome.data);
        return;
      }
      problem = outcome.failure;
    }
    const field = problem.kind === 'http' && problem.status === 422 && problem.field !== undefined ? FIELD_OF[problem.field] : undefined;
    if (field) {
      setErrors({ [field]: problem.message.replace(/^[\w.]+: /, '') });
      // Once its error has rendered, so the field is announced with it.
      setPendingFocus(field);
      return;
    }
    setFailure(problem);
  };

  // Focus follows what happened, once it has rendered: the result's Close button, the alert
  // (said by role="alert"; the next Tab reaches "Drain anyway" when offered), or the bad field.
  useEffect(() => {
    if (result) closeRef.current?.focus();
  }, [result]);
  useEffect(() => {
    if (failure) alertRef.current?.focus();
  }, [failure]);
  const pendingRef = pendingFocus === null ? null : fieldRefs[pendingFocus];
  useEffect(() => {
    if (pendingRef === null) return;
    pendingRef.current?.focus();
    setPendingFocus(null);
  }, [pendingRef]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void submit(false);
  };

  // Enter submits from the reason too; Shift+Enter starts a new line.
  const onReasonKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      event.currentTarget.form?.requestSubmit();
    }
  };

  const describe = (field: FieldName, help: string) => (errors[field] ? `${id}-${field}-error ${help}` : help);
  const count = reason.length;
  const nearLimit = count > MAX_REASON - 50;

  if (result && target.kind === 'bulk') {
    return (
      <Modal labelledBy={`${id}-title`} onClose={onClose} initialFocus={closeRef} className="modal--drain">
        <div className="modal__header">
          <h2 className="modal__title" id={`${id}-title`}>
            Drained {plural(result.drained.length, 'instance')} of <bdi>{service}</bdi>
          </h2>
        </div>
        <div className="modal__body" role="status">
          <p className="modal__intro">
            {FIELD_LABELS[target.field]} <strong>{value}</strong>.{' '}
            {result.drained.length === 1 ? 'It shows' : 'They show'} Draining in the table until callers move away, then Drained.
          </p>
          {result.drained.length > 0 && (
            <>
              <h3 className="modal__subtitle">Drained</h3>
              <ul className="result-list">
                {result.drained.map((i) => (
                  <li key={i.key} className="result-list__item result-list__item--ok">
                    <span aria-hidden="true">✓ </span>
                    <span className="mono">{i.id}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          {result.skipped.length > 0 && (
            <>
              <h3 className="modal__subtitle">Skipped</h3>
              <ul className="result-list">
                {result.skipped.map((line) => (
                  <li key={line} className="result-list__item result-list__item--skipped">
                    <span aria-hidden="true">– </span>
                    <span className="mono">{line}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        <div className="modal__footer">
          <button type="button" className="button button--primary" ref={closeRef} onClick={onClose}>
            Close
          </button>
        </div>
      </Modal>
    );
  }

  const targets = preview?.targets.length ?? 0;
  const submitLabel = busy ? 'Draining…' : target.kind === 'instance' ? 'Drain' : `Drain ${plural(targets, 'instance')}`;

  return (
    <Modal labelledBy={`${id}-title`} describedBy={`${id}-intro`} onClose={onClose} busy={busy} initialFocus={target.kind === 'bulk' ? valueRef : reasonRef} className="modal--drain">
      <form className="modal__form" onSubmit={onSubmit} noValidate>
        <div className="modal__header">
          <h2 className="modal__title" id={`${id}-title`}>
            {target.kind === 'instance' ? (
              <>
                Drain <bdi className="mono">{target.instance.id}</bdi>
              </>
            ) : (
              <>
                Drain a {target.field} of <bdi>{service}</bdi>
              </>
            )}
          </h2>
          <button type="button" className="icon-button modal__close" aria-label="Close" onClick={onClose} disabled={busy}>
            <span aria-hidden="true">×</span>
          </button>
        </div>

        <div className="modal__body">
          <p className="modal__intro" id={`${id}-intro`}>
            {target.kind === 'instance' ? (
              <>
                Takes this instance of <bdi>{service}</bdi> out of rotation: callers that honour drains stop sending it calls. It stays registered and probed, and
                Undrain puts it back.
              </>
            ) : (
              <>
                Takes every instance of <bdi>{service}</bdi> in one {target.field} out of rotation, as one action. Instances drained already are left alone.
              </>
            )}
          </p>
          {instance && (
            <p className="modal__facts">
              <span className="mono">{instance.address}</span>
              {instance.zone && <span>zone {instance.zone}</span>}
              {instance.version && <span>version {instance.version}</span>}
              <span>{instance.status}</span>
              {live === null && <strong className="modal__gone">no longer registered</strong>}
            </p>
          )}

          {target.kind === 'bulk' && (
            <div className={errors.value ? 'field field--invalid' : 'field'}>
              <label className="field__label" htmlFor={`${id}-value`}>
                {FIELD_LABELS[target.field]}
              </label>
              <select
                ref={valueRef}
                id={`${id}-value`}
                className="field__input field__input--short"
                value={value}
                onChange={(event) => setValue(event.target.value)}
                aria-invalid={errors.value ? true : undefined}
                aria-describedby={describe('value', `${id}-preview`)}
              >
                {values.map((v) => (
                  <option key={v.value} value={v.value}>
                    {v.value} — {plural(v.total, 'instance')}
                    {v.undrained < v.total ? `, ${v.total - v.undrained} drained` : ''}
                  </option>
                ))}
              </select>
              {errors.value && (
                <p className="field__error" id={`${id}-value-error`}>
                  {errors.value}
                </p>
              )}
              <div className="bulk-preview" id={`${id}-preview`} aria-live="polite">
                {preview && preview.targets.length === 0 ? (
                  <p>Nothing to drain: every instance in {subject} is drained already.</p>
                ) : preview ? (
                  <>
                    <p>
                      Will drain <strong>{plural(preview.targets.length, 'instance')}</strong>: <span className="mono">{preview.targets.map((i) => i.id).join(', ')}</span>
                    </p>
                    {preview.alreadyDrained.length > 0 && (
                      <p className="muted">
                        Already drained, left alone: <span className="mono">{preview.alreadyDrained.map((i) => i.id).join(', ')}</span>
                      </p>
                    )}
                    {preview.guardRefuses ? (
                      <p className="guard-note guard-note--refuses">
                        <span aria-hidden="true">⚠ </span>Guard: no passing instance of <bdi>{service}</bdi> would stay in rotation. Switchyard refuses this unless you
                        force it.
                      </p>
                    ) : (
                      <p className="guard-note guard-note--ok">
                        <span aria-hidden="true">✓ </span>Guard: {plural(preview.passingAfter, 'passing instance')} of <bdi>{service}</bdi> stay
                        {preview.passingAfter === 1 ? 's' : ''} in rotation.
                      </p>
                    )}
                  </>
                ) : null}
              </div>
            </div>
          )}

          <div className={errors.reason ? 'field field--invalid' : 'field'}>
            <div className="field__label-row">
              <label className="field__label" htmlFor={`${id}-reason`}>
                Reason <span className="field__required">(required)</span>
              </label>
              <span className={nearLimit ? 'field__counter is-near' : 'field__counter'} id={`${id}-counter`}>
                {count} / {MAX_REASON}
                <span className="visually-hidden"> characters</span>
              </span>
            </div>
            <textarea
              ref={reasonRef}
              id={`${id}-reason`}
              className="field__input field__textarea"
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              onKeyDown={onReasonKey}
              maxLength={MAX_REASON}
              rows={3}
              required
              aria-required="true"
              aria-invalid={errors.reason ? true : undefined}
              aria-describedby={describe('reason', `${id}-counter ${id}-reason-help`)}
              placeholder="e.g. deploy 2.4.1, kernel patch, investigating memory leak"
            />
            {errors.reason && (
              <p className="field__error" id={`${id}-reason-error`}>
                {errors.reason}
              </p>
            )}
            <p className="field__help" id={`${id}-reason-help`}>
              Shown to everyone watching and kept in history.
            </p>
          </div>

          <fieldset className={errors.duration ? 'field field--group field--invalid' : 'field field--group'} aria-describedby={describe('duration', `${id}-duration-help`)}>
            <legend className="field__label">Duration</legend>
            <div className="choice-row">
              {DURATION_PRESETS.map((preset, index) => (
                <label key={preset.id} className="choice">
                  <input
                    ref={index === 0 ? firstDurationRef : undefined}
                    type="radio"
                    name={`${id}-duration`}
                    value={preset.id}
                    checked={duration === preset.id}
                    onChange={() => setDuration(preset.id)}
                  />
                  {preset.label}
                </label>
              ))}
              <label className="choice">
                <input type="radio" name={`${id}-duration`} value="custom" checked={duration === 'custom'} onChange={() => setDuration('custom')} />
                Custom
              </label>
              <span className="custom-duration">
                <input
                  ref={customRef}
                  className="field__input field__input--number"
                  type="number"
                  inputMode="decimal"
                  min={1}
                  step="any"
                  value={customAmount}
                  aria-label="Custom duration"
                  aria-invalid={errors.duration && duration === 'custom' ? true : undefined}
                  onChange={(event) => setCustomAmount(event.target.value)}
                  onFocus={() => setDuration('custom')}
                />
                <select
                  className="field__input field__input--unit"
                  aria-label="Custom duration unit"
                  value={customUnit}
                  onChange={(event) => {
                    setCustomUnit(event.target.value as CustomUnit);
                    setDuration('custom');
                  }}
                >
                  {CUSTOM_UNITS.map((unit) => (
                    <option key={unit.id} value={unit.id}>
                      {unit.label}
                    </option>
                  ))}
                </select>
              </span>
            </div>
            {errors.duration && (
              <p className="field__error" id={`${id}-duration-error`}>
                {errors.duration}
              </p>
            )}
            <p className="field__help" id={`${id}-duration-help`}>
              {!ttl.ok
                ? 'A timed drain lifts itself, even when no dashboard is running.'
                : ttl.ttlSeconds === undefined
                  ? 'Stays drained until someone undrains it.'
                  : `Lifts itself after ${describeSeconds(ttl.ttlSeconds)} (at ${formatClockNear(Date.now() + ttl.ttlSeconds * 1000, Date.now())}), even when no dashboard is running.`}
            </p>
          </fieldset>

          {singleGuard && failure === null && (
            <p className="guard-note guard-note--refuses">
              <span aria-hidden="true">⚠ </span>This is the last passing instance of <bdi>{service}</bdi> in rotation; Switchyard will refuse unless you force it.
            </p>
          )}
          {failure && (
            <FailureBox
              failure={failure}
              action="drain"
              subject={subject}
              service={service}
              onForce={failure.kind === 'http' && failure.code === 'last_passing_instance' ? () => void submit(true) : undefined}
              busy={busy}
              boxRef={alertRef}
            />
          )}
        </div>

        <div className="modal__footer">
          <p className="modal__keys">
            <kbd>Enter</kbd> drains · <kbd>Shift</kbd>+<kbd>Enter</kbd> new line · <kbd>Esc</kbd> cancels
          </p>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy || (target.kind === 'bulk' && targets === 0)}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
