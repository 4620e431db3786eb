// Reports (issue 7, items 3 and 4): choose an export (CSV, XLSX) or a PDF report, its period on the farm's
// calendar and its selection; preview it (an export's first rows, a report's PDF); download it with progress
// and a Cancel; and, for the owner and the manager, the schedules that write reports to a folder by themselves.
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  MultiSelect,
  NumberInput,
  Progress,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { desktopApi } from '../../../shared/desktop-api.ts';
import { safeTimeZone } from '../animal-detail-model.ts';
import { AuthApiError, authErrorMessage } from '../auth/auth-api.ts';
import { useSession } from '../auth/session-control.ts';
import { LoadError, Loading, MountedModal, Notice, PageHeader } from '../components/PageParts.tsx';
import { errorMessage, graphqlRequest } from '../graphql.ts';
import { formatFarmTime } from '../herd-model.ts';
import { useFarmFormat } from '../use-farm-format.ts';
import {
  createReportSchedule,
  deleteReportSchedule,
  fetchOfficeFile,
  listReportSchedules,
  runReportSchedule,
  updateReportSchedule,
} from '../office-api.ts';
import {
  animalChoices,
  applies,
  buildRequest,
  csvRowCounter,
  downloadFileName,
  EXPORT_SUBJECTS,
  groupChoices,
  headerNumber,
  initialForm,
  lastRunStatus,
  LEVEL_LABELS,
  managesSchedules,
  metricChoices,
  newScheduleForm,
  notApplicableHint,
  officeErrorMessage,
  PERIOD_PRESETS,
  periodWords,
  previewCaption,
  previewPath,
  progressFraction,
  progressText,
  readBody,
  READING_RESOLUTIONS,
  REPORT_SUBJECTS,
  REPORTS_META_QUERY,
  requestPath,
  requestSummary,
  RESOLUTION_LABELS,
  ROLLUP_LEVELS,
  scheduleBody,
  schedulePeriodWords,
  scheduleSummary,
  scheduleToForm,
  scheduleWhat,
  SUBJECT_LABELS,
  WEEKDAYS,
  type Choice,
  type DownloadProgress,
  type ExportPreview,
  type Mode,
  type PeriodPreset,
  type ReportsForm,
  type ReportsMeta,
  type Request,
  type RequestPeriod,
  type Schedule,
  type ScheduleForm,
  type ScheduleProblems,
} from '../reports-model.ts';
import { farmToday } from '../statistics-model.ts';
import type { ExportFormat, ExportSubject, ReadingResolution, ReportSubject, RollupLevel } from '../../../shared/reports.ts';

/** The schedules' last runs change by themselves (the office runs them): asked again this often. */
const SCHEDULES_POLL_MS = 30_000;
/** While a run is going on, sooner. */
const SCHEDULES_RUNNING_POLL_MS = 3_000;
/** Progress is drawn at most this often: a fast download would otherwise re-render per chunk. */
const PROGRESS_EVERY_MS = 100;

const EXPORT_SUBJECT_CHOICES = EXPORT_SUBJECTS.map((s) => ({ value: s, label: SUBJECT_LABELS[s] }));
const REPORT_SUBJECT_CHOICES = REPORT_SUBJECTS.map((s) => ({ value: s, label: SUBJECT_LABELS[s] }));
const RESOLUTION_CHOICES = READING_RESOLUTIONS.map((r) => ({ value: r, label: RESOLUTION_LABELS[r] }));
const LEVEL_CHOICES = ROLLUP_LEVELS.map((l) => ({ value: l, label: LEVEL_LABELS[l] }));
const FORMAT_CHOICES = [
  { value: 'csv', label: 'CSV' },
  { value: 'xlsx', label: 'Excel (XLSX)' },
];
const MODE_CHOICES = [
  { value: 'export', label: 'Export data' },
  { value: 'report', label: 'PDF report' },
];

/** Words for an error of an /office call: the office's own words where it gave some. */
function callErrorMessage(err: unknown): string {
  if (err instanceof AuthApiError && err.status !== 0) return officeErrorMessage(err.status, { error: err.message.startsWith('the office answered HTTP') ? undefined : err.message, code: err.code });
  return authErrorMessage(err);
}

export function ReportsPage() {
  const [meta, setMeta] = useState<ReportsMeta>();
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    setError(undefined);
    graphqlRequest<ReportsMeta>(REPORTS_META_QUERY).then(setMeta, (err: unknown) => setError(errorMessage(err)));
  }, []);
  useEffect(load, [load]);
  if (!meta) return error ? <LoadError what="the reports" error={error} onRetry={load} testId="reports-error" /> : <Loading what="the reports" testId="reports-loading" />;
  return <Reports meta={meta} />;
}

/** Today on the farm's calendar, moving on at midnight (checked every minute). */
function useFarmToday(timeZone: string): string {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return farmToday(now, timeZone);
}

function Reports({ meta }: { meta: ReportsMeta }) {
  const auth = useSession();
  const role = auth.status === 'signed-in' ? auth.user.role : 'viewer';
  const timeZone = safeTimeZone(meta.farm_settings[0]?.time_zone);
  const today = useFarmToday(timeZone);
  const [form, setForm] = useState<ReportsForm>(() => initialForm(today));
  const choices = useMemo(() => ({ animals: animalChoices(meta.animals), groups: groupChoices(meta.groups), metrics: metricChoices(meta.metrics) }), [meta]);
  const built = useMemo(() => buildRequest(form, today), [form, today]);
  const task = useFileTask();
  const set = (change: Partial<ReportsForm>) => setForm((f) => ({ ...f, ...change }));
  // A preview is of the choice it was made for: another choice puts it away rather than let it pass for the new one.
  const requestKey = built.ok ? requestPath(built.request) : '';
  const { clearPreview } = task;
  useEffect(() => clearPreview(), [requestKey, clearPreview]);

  return (
    <Stack gap="md" data-testid="reports-page">
      <PageHeader
        title="Reports"
        description={`Export the farm's data as CSV or Excel, or make a PDF report: preview it, then download it. Days are the farm's calendar days (${timeZone}).`}
      />
      <Card withBorder padding="md" component="section" aria-label="What to make">
        <Stack gap="sm">
          <SegmentedControl
            value={form.mode}
            onChange={(v) => set({ mode: v as Mode })}
            data={MODE_CHOICES}
            aria-label="Export or report"
            data-testid="reports-mode"
            style={{ alignSelf: 'flex-start' }}
          />
          <ChoiceForm form={form} set={set} choices={choices} period={built.ok ? built.period : undefined} problems={built.ok ? {} : built.problems} />
          <Group gap="sm">
            <Button
              variant="light"
              disabled={!built.ok || task.busy}
              onClick={() => built.ok && (built.request.kind === 'report' ? task.run(built.request, 'pdf') : task.preview(built.request as Request & { kind: 'export' }))}
              data-testid="reports-preview"
            >
              Preview
            </Button>
            <Button disabled={!built.ok || task.busy} onClick={() => built.ok && task.run(built.request, 'download')} data-testid="reports-download">
              Download {built.ok ? built.request.format.toUpperCase() : ''}
            </Button>
            {built.ok && (
              <Text size="sm" c="dimmed" data-testid="reports-summary">
                {requestSummary(built.request, built.period)}
              </Text>
            )}
          </Group>
          <TaskView task={task} />
        </Stack>
      </Card>
      <PreviewView task={task} />
      {managesSchedules(role) && <SchedulesSection choices={choices} timeZone={timeZone} />}
    </Stack>
  );
}

interface Choices {
  animals: Choice[];
  groups: Choice[];
  metrics: Choice[];
}

function ChoiceForm(props: { form: ReportsForm; set: (c: Partial<ReportsForm>) => void; choices: Choices; period: RequestPeriod | undefined; problems: Partial<Record<'period' | 'animal', string>> }) {
  const { form, set, choices, period, problems } = props;
  const on = applies(form);
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
        {form.mode === 'export' ? (
          <>
            <Select label="Data" data={EXPORT_SUBJECT_CHOICES} value={form.exportSubject} onChange={(v) => v && set({ exportSubject: v as ExportSubject })} allowDeselect={false} data-testid="reports-subject" />
            <Select label="Format" data={FORMAT_CHOICES} value={form.format} onChange={(v) => v && set({ format: v as ExportFormat })} allowDeselect={false} data-testid="reports-format" />
            {on.resolution && (
              <Select label="Readings as" data={RESOLUTION_CHOICES} value={form.resolution} onChange={(v) => v && set({ resolution: v as ReadingResolution })} allowDeselect={false} data-testid="reports-resolution" />
            )}
            {on.level && <Select label="Figures of" data={LEVEL_CHOICES} value={form.level} onChange={(v) => v && set({ level: v as RollupLevel })} allowDeselect={false} data-testid="reports-level" />}
          </>
        ) : (
          <>
            <Select label="Report" data={REPORT_SUBJECT_CHOICES} value={form.reportSubject} onChange={(v) => v && set({ reportSubject: v as ReportSubject })} allowDeselect={false} data-testid="reports-subject" />
            {on.animal && (
              <Select
                label="Animal"
                placeholder="Tag or official ID"
                data={choices.animals}
                value={form.animal || null}
                onChange={(v) => set({ animal: v ?? '' })}
                searchable
                nothingFoundMessage="No such animal"
                error={problems.animal}
                data-testid="reports-animal"
              />
            )}
          </>
        )}
      </SimpleGrid>
      <Stack gap={4}>
        <Text size="sm" fw={500} id="reports-period-label">
          Period
        </Text>
        {on.period ? (
          <>
            <Group gap="sm" align="flex-end" wrap="wrap">
              <SegmentedControl
                value={form.preset}
                onChange={(v) => set({ preset: v as PeriodPreset })}
                data={PERIOD_PRESETS.map((p) => ({ value: p.value, label: p.label }))}
                aria-labelledby="reports-period-label"
                data-testid="reports-period"
              />
              {form.preset === 'custom' && (
                <>
                  <TextInput type="date" label="From" value={form.custom.from} max={form.custom.to || undefined} onChange={(e) => set({ custom: { ...form.custom, from: e.currentTarget.value } })} data-testid="reports-from" />
                  <TextInput type="date" label="To (including)" value={form.custom.to} min={form.custom.from || undefined} onChange={(e) => set({ custom: { ...form.custom, to: e.currentTarget.value } })} data-testid="reports-to" />
                </>
              )}
            </Group>
            {problems.period ? (
              <Text c="red" size="sm" role="alert" data-testid="reports-period-error">
                {problems.period}
              </Text>
            ) : (
              period && (
                <Text size="xs" c="dimmed" data-testid="reports-period-words">
                  {periodWords(period)}
                </Text>
              )
            )}
          </>
        ) : (
          <Text size="sm" c="dimmed" data-testid="reports-period-hint">
            {notApplicableHint(form, 'period')} It lists everything as it is now.
          </Text>
        )}
      </Stack>
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
        <SelectionInput label="Animals" part="animals" form={form} data={choices.animals} value={form.animals} onChange={(animals) => set({ animals })} />
        <SelectionInput label="Groups" part="groups" form={form} data={choices.groups} value={form.groups} onChange={(groups) => set({ groups })} />
        <SelectionInput label="Metrics" part="metrics" form={form} data={choices.metrics} value={form.metrics} onChange={(metrics) => set({ metrics })} />
      </SimpleGrid>
      <Switch
        label="Times in UTC"
        description="Time stamps end in Z instead of the farm's time with its offset."
        checked={form.utc}
        onChange={(e) => set({ utc: e.currentTarget.checked })}
        data-testid="reports-utc"
      />
    </Stack>
  );
}

function SelectionInput(props: { label: string; part: 'animals' | 'groups' | 'metrics'; form: Pick<ReportsForm, 'mode' | 'exportSubject' | 'reportSubject'>; data: Choice[]; value: string[]; onChange: (v: string[]) => void }) {
  const hint = notApplicableHint(props.form, props.part);
  return (
    <MultiSelect
      label={props.label}
      placeholder={hint ? undefined : props.value.length ? undefined : `All ${props.label.toLowerCase()}`}
      description={hint ?? (props.data.length === 0 ? `No ${props.label.toLowerCase()} yet.` : undefined)}
      data={props.data}
      value={hint ? [] : props.value}
      onChange={props.onChange}
      disabled={!!hint}
      searchable
      clearable
      nothingFoundMessage="Nothing matches"
      data-testid={`reports-${props.part}`}
    />
  );
}

// ---------------------------------------------------------------------------------------------------------
// Preview and download: one task at a time, with progress and a Cancel

interface RunningTask {
  kind: 'download' | 'pdf' | 'preview';
  what: string;
  progress: DownloadProgress;
}

interface FileTask {
  busy: boolean;
  running?: RunningTask;
  /** The outcome of the last task, until the next one. */
  outcome?: { color: 'green' | 'red' | 'gray'; message: string };
  pdf?: { url: string; bytes: number; header: string; what: string };
  table?: { preview: ExportPreview; what: string };
  previewLoading: boolean;
  run(request: Request, kind: 'download' | 'pdf'): void;
  preview(request: Request & { kind: 'export' }): void;
  cancel(): void;
  dismiss(): void;
  clearPreview(): void;
}

function useFileTask(): FileTask {
  const [running, setRunning] = useState<RunningTask>();
  const [outcome, setOutcome] = useState<FileTask['outcome']>();
  const [pdf, setPdf] = useState<FileTask['pdf']>();
  const [table, setTable] = useState<FileTask['table']>();
  const [previewLoading, setPreviewLoading] = useState(false);
  const controller = useRef<AbortController | undefined>(undefined);

  // Leaving the page stops what it was fetching, and lets go of the PDF it showed.
  useEffect(() => () => controller.current?.abort(), []);
  useEffect(() => () => void (pdf && URL.revokeObjectURL(pdf.url)), [pdf]);

  const run = useCallback((request: Request, kind: 'download' | 'pdf') => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    const what = requestSummary(request);
    const initial: DownloadProgress = { bytes: 0, totalBytes: null, rows: null, estimatedRows: null, done: false };
    setOutcome(undefined);
    setRunning({ kind, what, progress: initial });
    if (kind === 'pdf') {
      setTable(undefined);
      setPdf(undefined);
    }
    void (async () => {
      try {
        const response = await fetchOfficeFile(requestPath(request), abort.signal);
        if (!response.ok) {
          const body: unknown = await response.json().catch(() => undefined);
          throw new Error(officeErrorMessage(response.status, body));
        }
        const counter = request.format === 'csv' ? csvRowCounter() : undefined;
        const base = { totalBytes: headerNumber(response.headers.get('content-length')), estimatedRows: headerNumber(response.headers.get('x-estimated-rows')) };
        let drawn = 0;
        const bytes = await readBody(response, (chunk, received) => {
          counter?.add(chunk);
          const now = performance.now();
          if (now - drawn < PROGRESS_EVERY_MS) return;
          drawn = now;
          setRunning({ kind, what, progress: { ...base, bytes: received, rows: counter ? counter.rows() : null, done: false } });
        });
        const final: DownloadProgress = { ...base, bytes: bytes.length, rows: counter ? counter.rows() : null, done: true };
        setRunning({ kind, what, progress: final });
        const type = response.headers.get('content-type') ?? 'application/octet-stream';
        if (kind === 'pdf') {
          const header = new TextDecoder().decode(bytes.subarray(0, 8));
          setPdf({ url: URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' })), bytes: bytes.length, header, what });
          setOutcome(undefined);
        } else {
          const name = downloadFileName(response.headers.get('content-disposition'), request, new Date());
          setOutcome(await save(name, bytes, type, final));
        }
      } catch (err) {
        if (abort.signal.aborted) setOutcome({ color: 'gray', message: kind === 'pdf' ? 'The report was cancelled.' : 'The download was cancelled; nothing was saved.' });
        else setOutcome({ color: 'red', message: `${kind === 'pdf' ? 'Could not make the report' : 'Could not download'}: ${errorMessage(err)}` });
      } finally {
        if (controller.current === abort) controller.current = undefined;
        setRunning(undefined);
      }
    })();
  }, []);

  const preview = useCallback((request: Request & { kind: 'export' }) => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    setOutcome(undefined);
    setPdf(undefined);
    setPreviewLoading(true);
    const what = requestSummary(request);
    void (async () => {
      try {
        const response = await fetchOfficeFile(previewPath(request), abort.signal);
        const body: unknown = await response.json().catch(() => undefined);
        if (!response.ok) throw new Error(officeErrorMessage(response.status, body));
        const p = body as ExportPreview;
        if (!p || !Array.isArray(p.columns) || !Array.isArray(p.rows)) throw new Error('the office answered something that is not a preview');
        setTable({ preview: p, what });
      } catch (err) {
        if (!abort.signal.aborted) {
          setTable(undefined);
          setOutcome({ color: 'red', message: `Could not preview: ${errorMessage(err)}` });
        }
      } finally {
        if (controller.current === abort) controller.current = undefined;
        setPreviewLoading(false);
      }
    })();
  }, []);

  const clearPreview = useCallback(() => {
    setPdf(undefined);
    setTable(undefined);
  }, []);

  return {
    busy: !!running || previewLoading,
    running,
    outcome,
    pdf,
    table,
    previewLoading,
    run,
    preview,
    cancel: () => controller.current?.abort(),
    dismiss: () => setOutcome(undefined),
    clearPreview,
  };
}

/** The desktop asks where to save; a browser downloads to its usual folder. */
async function save(name: string, bytes: Uint8Array<ArrayBuffer>, type: string, progress: DownloadProgress): Promise<NonNullable<FileTask['outcome']>> {
  const size = progressText(progress);
  const desktop = desktopApi();
  if (desktop) {
    const result = await desktop.saveFile(name, bytes);
    if (result.saved) return { color: 'green', message: `Saved ${result.fileName} (${size}).` };
    if (result.reason === 'cancelled') return { color: 'gray', message: 'Not saved: the save dialog was cancelled.' };
    // The window hands the bytes to the desktop in one piece (at most 256 MB); a larger export goes to a file
    // through the CLI, which streams.
    const hint = /too large/.test(result.message ?? '') ? ' Choose a shorter period or fewer animals, or use the CLI (npm run cli -- export …), which has no size limit.' : '';
    return { color: 'red', message: `Could not save ${name}${result.message ? `: ${result.message}.` : '.'}${hint}` };
  }
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has the file once the click is handled; a minute is plenty for a slow disk.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { color: 'green', message: `Downloaded ${name} (${size}).` };
}

function TaskView({ task }: { task: FileTask }) {
  const { running, outcome } = task;
  if (running) {
    const fraction = progressFraction(running.progress);
    const verb = running.kind === 'pdf' ? 'Making the report' : 'Downloading';
    return (
      <Stack gap={4} data-testid="reports-progress" aria-live="polite">
        <Group justify="space-between" gap="xs">
          <Text size="sm">
            {verb}: {running.what}
          </Text>
          <Button size="compact-sm" variant="default" onClick={task.cancel} data-testid="reports-cancel">
            Cancel
          </Button>
        </Group>
        <Progress
          value={fraction === null ? 100 : fraction * 100}
          striped={fraction === null}
          animated={fraction === null}
          aria-label={`${verb}: ${progressText(running.progress)}`}
          data-testid="reports-progress-bar"
        />
        <Text size="xs" c="dimmed" data-testid="reports-progress-text">
          {progressText(running.progress)}
        </Text>
      </Stack>
    );
  }
  if (!outcome) return null;
  return (
    <Alert color={outcome.color} withCloseButton onClose={task.dismiss} data-testid={outcome.color === 'red' ? 'reports-task-error' : 'reports-task-done'}>
      {outcome.message}
    </Alert>
  );
}

function PreviewView({ task }: { task: FileTask }) {
  if (task.previewLoading) return <Loading what="the preview" testId="reports-preview-loading" />;
  if (task.pdf) {
    return (
      <Section title="Preview" description={task.pdf.what}>
        <iframe
          src={task.pdf.url}
          title={`Preview of ${task.pdf.what}`}
          data-testid="reports-pdf"
          data-bytes={task.pdf.bytes}
          data-header={task.pdf.header}
          style={{ width: '100%', height: '70vh', border: '1px solid var(--mantine-color-default-border)', borderRadius: 'var(--mantine-radius-sm)' }}
        />
      </Section>
    );
  }
  if (task.table) {
    const { preview, what } = task.table;
    return (
      <Section title="Preview" description={what}>
        <Text size="sm" data-testid="reports-preview-caption">
          {previewCaption(preview)}
        </Text>
        {preview.rows.length > 0 && (
          <Table.ScrollContainer minWidth={Math.min(1200, preview.columns.length * 120)} mah={480}>
            <Table striped stickyHeader fz="xs" data-testid="reports-preview-table">
              <Table.Thead>
                <Table.Tr>
                  {preview.columns.map((c, i) => (
                    <Table.Th key={i}>{c}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {preview.rows.map((row, i) => (
                  <Table.Tr key={i} data-testid="reports-preview-row">
                    {row.map((cell, j) => (
                      <Table.Td key={j} style={{ whiteSpace: 'nowrap' }}>
                        {cell ?? ''}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Section>
    );
  }
  return null;
}

function Section({ title, description, action, children, testId }: { title: string; description: ReactNode; action?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <Card withBorder padding="md" component="section" aria-label={title} data-testid={testId}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="xs" wrap="wrap">
          <Stack gap={0} style={{ flex: '1 1 14rem' }}>
            <Title order={3} size="h4">
              {title}
            </Title>
            <Text size="xs" c="dimmed">
              {description}
            </Text>
          </Stack>
          {action}
        </Group>
        {children}
      </Stack>
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------------------
// Scheduled reports

function useClock(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function SchedulesSection({ choices, timeZone }: { choices: Choices; timeZone: string }) {
  const { locale } = useFarmFormat();
  const [schedules, setSchedules] = useState<Schedule[]>();
  const [loadError, setLoadError] = useState<string>();
  const [editing, setEditing] = useState<Schedule | 'new'>();
  const [deleting, setDeleting] = useState<Schedule>();
  const [runningIds, setRunningIds] = useState<ReadonlySet<number>>(new Set());
  const [actionError, setActionError] = useState<string>();
  const now = useClock(30_000);

  const load = useCallback(() => {
    listReportSchedules().then(
      (r) => {
        setSchedules(r.schedules);
        setLoadError(undefined);
      },
      (err: unknown) => setLoadError(callErrorMessage(err)),
    );
  }, []);
  useEffect(load, [load]);
  const anyRunning = !!schedules?.some((s) => s.last_status === 'running') || runningIds.size > 0;
  useEffect(() => {
    const timer = setInterval(load, anyRunning ? SCHEDULES_RUNNING_POLL_MS : SCHEDULES_POLL_MS);
    return () => clearInterval(timer);
  }, [load, anyRunning]);

  const replace = (s: Schedule) => setSchedules((list) => (list ? (list.some((x) => x.id === s.id) ? list.map((x) => (x.id === s.id ? s : x)) : [...list, s]) : [s]));

  async function runNow(s: Schedule): Promise<void> {
    setActionError(undefined);
    setRunningIds((ids) => new Set(ids).add(s.id));
    replace({ ...s, last_status: 'running', last_run_at: new Date().toISOString() });
    try {
      replace(await runReportSchedule(s.id));
    } catch (err) {
      setActionError(`Could not run “${s.name}”: ${callErrorMessage(err)}`);
      load();
    } finally {
      setRunningIds((ids) => {
        const next = new Set(ids);
        next.delete(s.id);
        return next;
      });
    }
  }

  return (
    <Section
      title="Scheduled reports"
      description={`Written by the office to a folder (a USB stick, a network share) daily or weekly, the oldest files removed beyond the number kept. Hours on the farm's clock (${timeZone}).`}
      action={
        <Button onClick={() => setEditing('new')} data-testid="schedule-add">
          Add a schedule
        </Button>
      }
      testId="schedules-section"
    >
      <Notice color="red" message={actionError} onClose={() => setActionError(undefined)} testId="schedules-action-error" />
      {loadError && (schedules ? <Notice color="red" message={`Cannot refresh the schedules: ${loadError}`} onClose={() => setLoadError(undefined)} testId="schedules-stale" /> : <LoadError what="the schedules" error={loadError} onRetry={load} testId="schedules-error" />)}
      {!schedules ? (
        !loadError && <Loading what="the schedules" testId="schedules-loading" />
      ) : schedules.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="schedules-empty">
          No scheduled reports yet. Add one to have the office write a report or an export to a folder by itself.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={960}>
          <Table striped data-testid="schedules-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>What</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th>Folder</Table.Th>
                <Table.Th>Next run</Table.Th>
                <Table.Th>Last run</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {schedules.map((s) => {
                const status = lastRunStatus(s, now);
                return (
                  <Table.Tr key={s.id} data-testid="schedule-row" data-schedule-name={s.name} data-status={s.last_status ?? 'none'}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Text size="sm" fw={500}>
                          {s.name}
                        </Text>
                        {!s.enabled && (
                          <Badge color="gray" variant="outline" size="sm">
                            Paused
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>{scheduleWhat(s)}</Table.Td>
                    <Table.Td data-testid="schedule-when">{scheduleSummary(s)}</Table.Td>
                    <Table.Td>
                      <Code style={{ wordBreak: 'break-all' }}>{s.folder}</Code>
                    </Table.Td>
                    <Table.Td>{s.enabled && s.next_run_at ? formatFarmTime(s.next_run_at, timeZone, locale) : '—'}</Table.Td>
                    <Table.Td style={{ maxWidth: 320 }}>
                      <Stack gap={2}>
                        <Badge color={status.color} variant="light" data-testid="schedule-status">
                          {status.label}
                        </Badge>
                        <Text size="xs" c={status.color === 'red' ? 'red' : 'dimmed'} title={[s.last_run_at && formatFarmTime(s.last_run_at, timeZone, locale), s.last_file].filter(Boolean).join('\n') || undefined} style={{ wordBreak: 'break-word' }} data-testid="schedule-last-run">
                          {status.text}
                        </Text>
                      </Stack>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Button size="compact-xs" variant="light" loading={runningIds.has(s.id)} onClick={() => void runNow(s)} data-testid="schedule-run">
                          Run now
                        </Button>
                        <Button size="compact-xs" variant="light" onClick={() => setEditing(s)} data-testid="schedule-edit">
                          Edit
                        </Button>
                        <Button size="compact-xs" variant="light" color="red" onClick={() => setDeleting(s)} data-testid="schedule-delete">
                          Delete
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {editing && (
        <ScheduleModal
          schedule={editing === 'new' ? undefined : editing}
          choices={choices}
          timeZone={timeZone}
          onClose={() => setEditing(undefined)}
          onSaved={(s) => {
            setEditing(undefined);
            replace(s);
          }}
        />
      )}
      {deleting && (
        <DeleteModal
          schedule={deleting}
          onClose={() => setDeleting(undefined)}
          onDeleted={() => {
            setSchedules((list) => list?.filter((x) => x.id !== deleting.id));
            setDeleting(undefined);
          }}
        />
      )}
    </Section>
  );
}

const HOUR_CHOICES = Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: `${String(h).padStart(2, '0')}:00` }));
const WEEKDAY_CHOICES = WEEKDAYS.map((d, i) => ({ value: String(i + 1), label: d }));

function ScheduleModal({ schedule, choices, timeZone, onClose, onSaved }: { schedule?: Schedule; choices: Choices; timeZone: string; onClose: () => void; onSaved: (s: Schedule) => void }) {
  const [form, setForm] = useState<ScheduleForm>(() => (schedule ? scheduleToForm(schedule) : newScheduleForm()));
  const [problems, setProblems] = useState<ScheduleProblems>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<ScheduleForm>) => setForm((f) => ({ ...f, ...change }));
  const selectionForm = { mode: form.kind, exportSubject: form.exportSubject, reportSubject: form.reportSubject };
  const on = applies(selectionForm);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    const checked = scheduleBody(form);
    if (!checked.ok) return setProblems(checked.problems);
    setProblems({});
    setBusy(true);
    setFailure(undefined);
    try {
      onSaved(schedule ? await updateReportSchedule(schedule.id, checked.body) : await createReportSchedule(checked.body));
    } catch (err) {
      setFailure(callErrorMessage(err));
      setBusy(false);
    }
  }

  return (
    <MountedModal onClose={onClose} title={schedule ? `Edit “${schedule.name}”` : 'Add a scheduled report'} size="lg" data-testid="schedule-modal">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          <TextInput label="Name" value={form.name} onChange={(e) => set({ name: e.currentTarget.value })} error={problems.name} required data-autofocus data-testid="schedule-name" />
          <SegmentedControl value={form.kind} onChange={(v) => set({ kind: v as Mode })} data={MODE_CHOICES} aria-label="Export or report" data-testid="schedule-kind" style={{ alignSelf: 'flex-start' }} />
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            {form.kind === 'export' ? (
              <>
                <Select label="Data" data={EXPORT_SUBJECT_CHOICES} value={form.exportSubject} onChange={(v) => v && set({ exportSubject: v as ExportSubject })} allowDeselect={false} data-testid="schedule-subject" />
                <Select label="Format" data={FORMAT_CHOICES} value={form.format} onChange={(v) => v && set({ format: v as ExportFormat })} allowDeselect={false} data-testid="schedule-format" />
                {on.resolution && <Select label="Readings as" data={RESOLUTION_CHOICES} value={form.resolution} onChange={(v) => v && set({ resolution: v as ReadingResolution })} allowDeselect={false} />}
                {on.level && <Select label="Figures of" data={LEVEL_CHOICES} value={form.level} onChange={(v) => v && set({ level: v as RollupLevel })} allowDeselect={false} />}
              </>
            ) : (
              <>
                <Select label="Report" data={REPORT_SUBJECT_CHOICES} value={form.reportSubject} onChange={(v) => v && set({ reportSubject: v as ReportSubject })} allowDeselect={false} data-testid="schedule-subject" />
                {on.animal && (
                  <Select label="Animal" data={choices.animals} value={form.animal || null} onChange={(v) => set({ animal: v ?? '' })} searchable error={problems.animal} data-testid="schedule-animal" />
                )}
              </>
            )}
          </SimpleGrid>
          {(on.animals || on.groups || on.metrics) && (
            // Only what this report takes: a schedule is set up once, and a row of disabled inputs says little there.
            <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
              {on.animals && <SelectionInput label="Animals" part="animals" form={selectionForm} data={choices.animals} value={form.animals} onChange={(animals) => set({ animals })} />}
              {on.groups && <SelectionInput label="Groups" part="groups" form={selectionForm} data={choices.groups} value={form.groups} onChange={(groups) => set({ groups })} />}
              {on.metrics && <SelectionInput label="Metrics" part="metrics" form={selectionForm} data={choices.metrics} value={form.metrics} onChange={(metrics) => set({ metrics })} />}
            </SimpleGrid>
          )}
          <Group gap="sm" align="flex-end" wrap="wrap">
            <Stack gap={4}>
              <Text size="sm" fw={500} id="schedule-frequency-label">
                How often
              </Text>
              <SegmentedControl
                value={form.frequency}
                onChange={(v) => set({ frequency: v as 'daily' | 'weekly' })}
                data={[
                  { value: 'daily', label: 'Daily' },
                  { value: 'weekly', label: 'Weekly' },
                ]}
                aria-labelledby="schedule-frequency-label"
                data-testid="schedule-frequency"
              />
            </Stack>
            {form.frequency === 'weekly' && (
              <Select label="On" data={WEEKDAY_CHOICES} value={String(form.weekday)} onChange={(v) => v && set({ weekday: Number(v) })} allowDeselect={false} w={150} data-testid="schedule-weekday" />
            )}
            <Select label={`At (${timeZone})`} data={HOUR_CHOICES} value={String(form.atHour)} onChange={(v) => v && set({ atHour: Number(v) })} allowDeselect={false} w={150} data-testid="schedule-hour" />
          </Group>
          {on.period && (
            <Text size="xs" c="dimmed">
              {schedulePeriodWords(form.frequency)}
            </Text>
          )}
          <TextInput
            label="Folder"
            description="A folder on the office's computer: a USB stick (e.g. /media/usb) or a mounted network share. It must exist."
            value={form.folder}
            onChange={(e) => set({ folder: e.currentTarget.value })}
            error={problems.folder}
            required
            data-testid="schedule-folder"
          />
          <Group gap="lg" align="flex-end" wrap="wrap">
            <NumberInput label="Files to keep" description="Older files of this schedule are removed." min={1} max={1000} value={form.keep} onChange={(v) => set({ keep: v })} error={problems.keep} w={200} data-testid="schedule-keep" />
            <Switch label="Times in UTC" checked={form.utc} onChange={(e) => set({ utc: e.currentTarget.checked })} mb={8} />
            <Switch label="Enabled" checked={form.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} mb={8} data-testid="schedule-enabled" />
          </Group>
          <Text size="sm" c="dimmed" data-testid="schedule-preview-text">
            {scheduleSummary({ frequency: form.frequency, weekday: form.weekday, at_hour: form.atHour, keep: Number(form.keep) || 0 })}
          </Text>
          {failure && (
            <Alert color="red" data-testid="schedule-form-error">
              {failure}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} data-testid="schedule-save">
              {schedule ? 'Save' : 'Add'}
            </Button>
          </Group>
        </Stack>
      </form>
    </MountedModal>
  );
}

function DeleteModal({ schedule, onClose, onDeleted }: { schedule: Schedule; onClose: () => void; onDeleted: () => void }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  async function go(): Promise<void> {
    setBusy(true);
    try {
      await deleteReportSchedule(schedule.id);
      onDeleted();
    } catch (err) {
      setFailure(callErrorMessage(err));
      setBusy(false);
    }
  }
  return (
    <MountedModal onClose={onClose} title={`Delete “${schedule.name}”?`} data-testid="schedule-delete-modal">
      <Stack>
        <Text>The office stops writing this report. The files it already wrote to {schedule.folder} stay there.</Text>
        {failure && (
          <Alert color="red" data-testid="schedule-delete-error">
            {failure}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" loading={busy} onClick={() => void go()} data-testid="schedule-delete-confirm">
            Delete
          </Button>
        </Group>
      </Stack>
    </MountedModal>
  );
}
