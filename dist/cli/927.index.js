export const id = 927;
export const ids = [927];
export const modules = {

/***/ 3927:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  emulatorCommand: () => (/* binding */ emulatorCommand)
});

// EXTERNAL MODULE: ./.bundle/lib/duration.js
var duration = __webpack_require__(7996);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./.bundle/lib/emulator/protocol.js
/** The AWS wire protocols the emulator speaks: JSON 1.0/1.1 (X-Amz-Target) and query (form + XML). */
/** An AWS error as the SDK expects it: a code, a message and an HTTP status. */
class AwsError extends Error {
    code;
    status;
    constructor(code, message, status = 400) {
        super(message);
        this.code = code;
        this.status = status;
    }
}
const validation = (message) => new AwsError('ValidationException', message);
/** JSON protocol body: Date values become epoch seconds, as the services send timestamps. */
function jsonBody(value) {
    return JSON.stringify(value ?? {}, function (key, v) {
        const original = this[key];
        return original instanceof Date ? original.getTime() / 1000 : v;
    });
}
/** `Action=X&Version=Y&A.member.1=v` as a flat record. */
function parseForm(body) {
    return Object.fromEntries(new URLSearchParams(body));
}
function escapeXml(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
/** A small XML serializer for query-protocol answers: arrays become `<member>` lists. */
function toXml(value) {
    if (value === undefined || value === null)
        return '';
    if (value instanceof Date)
        return value.toISOString();
    if (Array.isArray(value))
        return value.map((v) => `<member>${toXml(v)}</member>`).join('');
    if (typeof value === 'object') {
        return Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
            .join('');
    }
    return escapeXml(String(value));
}
function queryResponse(operation, namespace, result, requestId) {
    return (`<${operation}Response xmlns="${namespace}"><${operation}Result>${toXml(result)}</${operation}Result>` +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`);
}
function queryError(error, requestId) {
    const type = error.status >= 500 ? 'Receiver' : 'Sender';
    return (`<ErrorResponse><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
        `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
}

;// CONCATENATED MODULE: ./.bundle/lib/emulator/server.js
/**
 * The local AWS emulator: one HTTP server on 127.0.0.1 that speaks the protocols the AWS SDK uses,
 * so `AWS_ENDPOINT_URL=http://127.0.0.1:<port>` points every action at it. Services are plain
 * objects of operations over JSON-serializable state (kept in memory, or in a file so separate
 * runs share it). Every call is recorded; an admin API under `/_emulator/` reads the call log,
 * injects faults and resets state. Product code: the actions never import it.
 */






/** Read-only operations; everything else counts as a mutating call in the call log. */
function isMutating(operation) {
    return !/^(Describe|List|Get|Search|BatchGet|Head|Filter)/.test(operation);
}
class Emulator {
    options;
    timeScale;
    calls = [];
    /** Open-ended fault switches read by services; `throttle` (0-1) is handled here. */
    faults = {};
    state = {};
    services = [];
    server;
    stateFile;
    clock;
    url = '';
    dataDir;
    constructor(options = {}) {
        this.options = options;
        this.timeScale = options.timeScale ?? 1;
        this.dataDir =
            options.dataDir ??
                (options.stateFile
                    ? `${options.stateFile}.data`
                    : external_node_fs_.mkdtempSync(external_node_path_.join(external_node_os_.tmpdir(), 'mlops-emulator-')));
        this.stateFile = options.stateFile;
        this.clock = options.now ?? Date.now;
        if (this.stateFile && external_node_fs_.existsSync(this.stateFile)) {
            const saved = JSON.parse(external_node_fs_.readFileSync(this.stateFile, 'utf8'));
            this.state = saved.state ?? {};
            this.faults = saved.faults ?? {};
        }
        for (const factory of options.services ?? [])
            this.services.push(factory(this));
    }
    now() {
        return this.clock();
    }
    /** Milliseconds of real time a service-side duration of `seconds` takes. */
    scaled(seconds) {
        return seconds * 1000 * this.timeScale;
    }
    /** The state object of a service, created by `init` on first use. Must stay JSON-serializable. */
    stateOf(service, init) {
        if (!(service in this.state))
            this.state[service] = init();
        return this.state[service];
    }
    reset() {
        this.state = {};
        this.faults = {};
        this.calls.length = 0;
        this.save();
    }
    save() {
        if (!this.stateFile)
            return;
        const temp = `${this.stateFile}.${process.pid}.tmp`;
        external_node_fs_.mkdirSync(external_node_path_.dirname(external_node_path_.resolve(this.stateFile)), { recursive: true });
        external_node_fs_.writeFileSync(temp, JSON.stringify({ state: this.state, faults: this.faults }, null, 1));
        external_node_fs_.renameSync(temp, this.stateFile);
    }
    async start(port = 0) {
        this.server = external_node_http_.createServer((req, res) => {
            this.handle(req, res).catch((e) => {
                if (!res.headersSent)
                    res.writeHead(500, { 'content-type': 'text/plain' });
                res.end(String(e?.stack ?? e));
            });
        });
        // Longer than any client backoff, so a kept-alive socket is not closed under a retrying SDK.
        this.server.keepAliveTimeout = 65_000;
        this.server.headersTimeout = 66_000;
        await new Promise((resolve, reject) => {
            this.server.once('error', reject);
            this.server.listen(port, '127.0.0.1', resolve);
        });
        this.url = `http://127.0.0.1:${this.server.address().port}`;
        return this.url;
    }
    async stop() {
        if (!this.server)
            return;
        this.server.closeAllConnections();
        await new Promise((resolve) => this.server.close(() => resolve()));
        this.server = undefined;
    }
    /** Calls that reached a mutating operation (for "no mutating call" assertions). */
    mutatingCalls() {
        return this.calls.filter((c) => c.mutating);
    }
    async handle(req, res) {
        const chunks = [];
        for await (const chunk of req)
            chunks.push(chunk);
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        if (url.pathname.startsWith('/_emulator/'))
            return this.admin(req, res, url, body);
        const auth = req.headers.authorization ?? '';
        const scope = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\//.exec(auth);
        const target = req.headers['x-amz-target'];
        // Several definitions may share a prefix (SageMaker endpoints and training jobs): the one that
        // has the operation answers.
        const candidates = typeof target === 'string'
            ? this.services.filter((s) => s.targetPrefix && target.startsWith(`${s.targetPrefix}.`))
            : this.services.filter((s) => s.signingName === scope?.[3]);
        const wanted = typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : undefined;
        const service = candidates.find((s) => wanted && s.operations[wanted]) ?? candidates[0];
        if (!service) {
            return this.send(res, 400, 'application/json', jsonBody({
                __type: 'UnknownOperationException',
                message: `No emulated service for ${target ?? scope?.[3] ?? req.url}.`
            }));
        }
        service.advance?.();
        if (service.raw) {
            const operation = await service.raw(req, res, body);
            if (operation) {
                this.calls.push({
                    service: service.name,
                    operation,
                    mutating: isMutating(operation),
                    status: res.statusCode,
                    userAgent: req.headers['x-amz-user-agent']?.toString() ?? req.headers['user-agent'],
                    at: new Date(this.now()).toISOString()
                });
                return;
            }
        }
        const requestId = (0,external_node_crypto_.randomUUID)();
        const form = service.protocol === 'query' ? parseForm(body.toString('utf8')) : undefined;
        const operation = typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : (form?.Action ?? '');
        const info = {
            operation,
            accessKeyId: scope?.[1],
            region: scope?.[2],
            userAgent: req.headers['user-agent'],
            requestId
        };
        const record = {
            service: service.name,
            operation,
            mutating: isMutating(operation),
            status: 200,
            userAgent: req.headers['x-amz-user-agent']?.toString() ?? info.userAgent,
            at: new Date(this.now()).toISOString()
        };
        this.calls.push(record);
        let result;
        try {
            const handler = service.operations[operation];
            if (!handler)
                throw new AwsError('UnknownOperationException', `${service.name} has no operation ${operation} in the emulator.`);
            const throttle = Number(this.faults.throttle ?? 0);
            if (throttle > 0 && Math.random() < throttle) {
                throw new AwsError(service.protocol === 'query' ? 'Throttling' : 'ThrottlingException', 'Rate exceeded');
            }
            const input = form ?? (body.length ? JSON.parse(body.toString('utf8')) : {});
            result = await handler(input, info);
            if (record.mutating)
                this.save();
        }
        catch (e) {
            const error = e instanceof AwsError ? e : new AwsError('InternalFailure', String(e?.stack ?? e), 500);
            record.status = error.status;
            record.error = error.code;
            if (service.protocol === 'query') {
                return this.send(res, error.status, 'text/xml', queryError(error, requestId), requestId);
            }
            const type = `application/x-amz-json-${service.protocol.slice(4)}`;
            res.setHeader('x-amzn-ErrorType', error.code);
            res.setHeader('x-amzn-query-error', `${error.code};Sender`);
            return this.send(res, error.status, type, jsonBody({ __type: error.code, message: error.message }), requestId);
        }
        if (service.protocol === 'query') {
            return this.send(res, 200, 'text/xml', queryResponse(operation, service.xmlNamespace ?? '', result, requestId), requestId);
        }
        this.send(res, 200, `application/x-amz-json-${service.protocol.slice(4)}`, jsonBody(result), requestId);
    }
    send(res, status, type, body, requestId) {
        res.writeHead(status, {
            'content-type': type,
            'content-length': Buffer.byteLength(body),
            ...(requestId ? { 'x-amzn-RequestId': requestId } : {})
        });
        res.end(body);
    }
    /**
     * Admin API: GET /_emulator/calls (the call log), DELETE /_emulator/calls, GET/POST /_emulator/faults
     * (merge a JSON object of fault switches), GET /_emulator/state, POST /_emulator/reset.
     */
    admin(req, res, url, body) {
        const route = `${req.method} ${url.pathname}`;
        const json = (value) => this.send(res, 200, 'application/json', JSON.stringify(value, null, 1));
        switch (route) {
            case 'GET /_emulator/calls':
                return json(this.calls);
            case 'DELETE /_emulator/calls':
                this.calls.length = 0;
                return json({});
            case 'GET /_emulator/faults':
                return json(this.faults);
            case 'POST /_emulator/faults':
                Object.assign(this.faults, body.length ? JSON.parse(body.toString('utf8')) : {});
                for (const [k, v] of Object.entries(this.faults))
                    if (v === null)
                        delete this.faults[k];
                this.save();
                return json(this.faults);
            case 'GET /_emulator/state':
                for (const s of this.services)
                    s.advance?.();
                return json(this.state);
            case 'POST /_emulator/reset':
                this.reset();
                return json({});
            default:
                this.send(res, 404, 'application/json', JSON.stringify({ message: `No admin route ${route}.` }));
        }
    }
}

;// CONCATENATED MODULE: ./.bundle/lib/emulator/services/sts.js
const ACCOUNT_ID = '123456789012';
function sts(_emulator) {
    return {
        name: 'sts',
        signingName: 'sts',
        protocol: 'query',
        xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
        operations: {
            GetCallerIdentity: (_input, request) => ({
                UserId: `AROAEMULATOR:${request.accessKeyId ?? 'emulator'}`,
                Account: ACCOUNT_ID,
                Arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/emulator/${request.accessKeyId ?? 'emulator'}`
            })
        }
    };
}

;// CONCATENATED MODULE: ./.bundle/lib/emulator/services/cloudwatch.js


const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const COMPARISONS = [
    'GreaterThanOrEqualToThreshold',
    'GreaterThanThreshold',
    'LessThanThreshold',
    'LessThanOrEqualToThreshold',
    'LessThanLowerOrGreaterThanUpperThreshold',
    'LessThanLowerThreshold',
    'GreaterThanUpperThreshold'
];
/** How many state changes an alarm remembers (enough for any bake). */
const HISTORY = 100;
function alarmsOf(emulator) {
    return emulator.stateOf('cloudwatch', () => ({ alarms: {} })).alarms;
}
/**
 * The first moment in [from, to) at which one of `names` was in ALARM, and which; undefined when none
 * was. An alarm that does not exist never fires (SageMaker ignores it).
 */
function firstAlarm(emulator, names, from, to) {
    let first;
    for (const name of names) {
        const history = alarmsOf(emulator)[name]?.history ?? [];
        let at;
        const before = history.filter((h) => h.at <= from).at(-1);
        if (before?.state === 'ALARM')
            at = from;
        else
            at = history.find((h) => h.at > from && h.at < to && h.state === 'ALARM')?.at;
        if (at !== undefined && (!first || at < first.at))
            first = { name, at };
    }
    return first;
}
const invalid = (message) => new AwsError('InvalidParameterValue', message);
const missing = (message) => new AwsError('MissingParameter', message);
/**
 * The query protocol's flat form (`AlarmNames.member.1=a`, `Dimensions.member.1.Name=n`) as the
 * structured input the operations take; numbers and booleans as the JSON protocol sends them.
 */
function fromQuery(form) {
    const NUMBERS = new Set(['Period', 'EvaluationPeriods', 'DatapointsToAlarm', 'Threshold', 'MaxRecords']);
    const out = {};
    for (const [name, raw] of Object.entries(form)) {
        if (name === 'Action' || name === 'Version')
            continue;
        const parts = name.split('.').filter((p) => p !== 'member');
        const field = parts.filter((p) => !/^\d+$/.test(p)).at(-1) ?? '';
        const value = NUMBERS.has(field) ? Number(raw) : field === 'ActionsEnabled' ? raw === 'true' : raw;
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        let node = out;
        parts.forEach((part, i) => {
            const key = /^\d+$/.test(part) ? Number(part) - 1 : part;
            if (i === parts.length - 1)
                node[key] = value;
            else
                node = node[key] ??= /^\d+$/.test(parts[i + 1]) ? [] : {};
        });
    }
    return out;
}
/** The same alarms for clients of the query protocol (the AWS CLI before CloudWatch moved to JSON). */
function cloudwatchQuery(emulator) {
    const json = cloudwatch(emulator);
    return {
        ...json,
        name: 'cloudwatch',
        protocol: 'query',
        targetPrefix: undefined,
        xmlNamespace: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
        operations: Object.fromEntries(Object.entries(json.operations).map(([name, operation]) => [
            name,
            (input, request) => operation(fromQuery(input), request)
        ]))
    };
}
function cloudwatch(emulator) {
    const alarms = () => alarmsOf(emulator);
    const view = ({ history: _history, ...a }) => ({
        ...a,
        StateUpdatedTimestamp: new Date(a.StateUpdatedTimestamp),
        AlarmConfigurationUpdatedTimestamp: new Date(a.AlarmConfigurationUpdatedTimestamp)
    });
    const setState = (alarm, state, reason) => {
        const now = emulator.now();
        alarm.StateReason = reason;
        if (alarm.StateValue === state && alarm.history.length)
            return;
        alarm.StateValue = state;
        alarm.StateUpdatedTimestamp = now;
        alarm.history.push({ at: now, state });
        if (alarm.history.length > HISTORY)
            alarm.history.splice(0, alarm.history.length - HISTORY);
    };
    return {
        name: 'cloudwatch',
        signingName: 'monitoring',
        protocol: 'json1.0',
        targetPrefix: 'GraniteServiceVersion20100801',
        operations: {
            PutMetricAlarm: (input) => {
                const name = String(input.AlarmName ?? '');
                if (!name)
                    throw missing('The parameter AlarmName is required.');
                if (name.length > 255)
                    throw invalid('The parameter AlarmName must be 1 to 255 characters long.');
                if (input.EvaluationPeriods === undefined)
                    throw missing('The parameter EvaluationPeriods is required.');
                if (!(input.EvaluationPeriods >= 1))
                    throw invalid('The parameter EvaluationPeriods must be greater than or equal to 1.');
                if (!COMPARISONS.includes(input.ComparisonOperator))
                    throw invalid(`The parameter ComparisonOperator must be one of ${COMPARISONS.join(', ')}, not "${input.ComparisonOperator}".`);
                if (!input.Metrics && (!input.MetricName || !input.Namespace))
                    throw missing('The parameters MetricName and Namespace are required without Metrics.');
                if (input.Period !== undefined &&
                    !(input.Period >= 10 && (input.Period < 60 || input.Period % 60 === 0)))
                    throw invalid('The parameter Period must be 10, 20, 30 or a multiple of 60.');
                const now = emulator.now();
                const existing = alarms()[name];
                const alarm = {
                    AlarmName: name,
                    AlarmArn: `arn:aws:cloudwatch:us-east-1:${ACCOUNT_ID}:alarm:${name}`,
                    AlarmDescription: input.AlarmDescription,
                    MetricName: input.MetricName,
                    Namespace: input.Namespace,
                    Statistic: input.Statistic,
                    ExtendedStatistic: input.ExtendedStatistic,
                    Dimensions: input.Dimensions,
                    Period: input.Period,
                    EvaluationPeriods: input.EvaluationPeriods,
                    DatapointsToAlarm: input.DatapointsToAlarm,
                    Threshold: input.Threshold,
                    ComparisonOperator: input.ComparisonOperator,
                    TreatMissingData: input.TreatMissingData,
                    ActionsEnabled: input.ActionsEnabled ?? true,
                    StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
                    StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
                    StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
                    AlarmConfigurationUpdatedTimestamp: now,
                    history: existing?.history ?? [{ at: now, state: 'INSUFFICIENT_DATA' }]
                };
                alarms()[name] = alarm;
                return {};
            },
            DescribeAlarms: ({ AlarmNames, AlarmNamePrefix, StateValue, MaxRecords, NextToken }) => {
                if (AlarmNames?.length && AlarmNamePrefix)
                    throw invalid('AlarmNames and AlarmNamePrefix cannot be given together.');
                if (AlarmNames && AlarmNames.length > 100)
                    throw invalid('The parameter AlarmNames must have at most 100 members.');
                if (StateValue !== undefined && !STATES.includes(StateValue))
                    throw invalid(`The parameter StateValue must be one of ${STATES.join(', ')}.`);
                if (MaxRecords !== undefined && !(MaxRecords >= 1 && MaxRecords <= 100))
                    throw invalid('The parameter MaxRecords must be from 1 to 100.');
                const all = Object.values(alarms())
                    .filter((a) => !AlarmNames?.length || AlarmNames.includes(a.AlarmName))
                    .filter((a) => !AlarmNamePrefix || a.AlarmName.startsWith(AlarmNamePrefix))
                    .filter((a) => !StateValue || a.StateValue === StateValue)
                    .sort((a, b) => a.AlarmName.localeCompare(b.AlarmName));
                const from = NextToken ? Number(NextToken) : 0;
                if (!Number.isInteger(from) || from < 0)
                    throw invalid('The NextToken is invalid.');
                const max = MaxRecords ?? 50;
                return {
                    MetricAlarms: all.slice(from, from + max).map(view),
                    CompositeAlarms: [],
                    ...(from + max < all.length ? { NextToken: String(from + max) } : {})
                };
            },
            SetAlarmState: ({ AlarmName, StateValue, StateReason }) => {
                const alarm = alarms()[AlarmName];
                if (!alarm)
                    throw new AwsError('ResourceNotFound', `Alarm ${AlarmName} not found`, 404);
                if (!STATES.includes(StateValue))
                    throw invalid(`The parameter StateValue must be one of ${STATES.join(', ')}.`);
                if (StateReason === undefined)
                    throw missing('The parameter StateReason is required.');
                setState(alarm, StateValue, StateReason);
                return {};
            },
            DeleteAlarms: ({ AlarmNames }) => {
                for (const name of AlarmNames ?? []) {
                    if (!alarms()[name])
                        throw new AwsError('ResourceNotFound', `Alarm ${name} not found`, 404);
                }
                for (const name of AlarmNames ?? [])
                    delete alarms()[name];
                return {};
            }
        }
    };
}

;// CONCATENATED MODULE: ./.bundle/lib/emulator/services/logs.js

const PAGE = 10_000;
class LogStore {
    emulator;
    constructor(emulator) {
        this.emulator = emulator;
    }
    get state() {
        return this.emulator.stateOf('logs', () => ({ groups: {} }));
    }
    group(name, create = false) {
        const groups = this.state.groups;
        if (!groups[name] && create)
            groups[name] = { created: this.emulator.now(), streams: {} };
        if (!groups[name])
            throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
        return groups[name];
    }
    stream(group, name, create = false) {
        const g = this.group(group, create);
        if (!g.streams[name] && create)
            g.streams[name] = { name, created: this.emulator.now(), events: [] };
        if (!g.streams[name])
            throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
        return g.streams[name];
    }
    /** Appends lines to a stream, creating the group and stream as needed. */
    append(group, streamName, messages) {
        const stream = this.stream(group, streamName, true);
        const now = this.emulator.now();
        for (const message of messages)
            stream.events.push({ timestamp: now, message, ingestionTime: now });
    }
}
function logs(emulator) {
    const store = new LogStore(emulator);
    const token = (direction, index) => `${direction}/${String(index).padStart(20, '0')}`;
    return {
        name: 'logs',
        signingName: 'logs',
        protocol: 'json1.1',
        targetPrefix: 'Logs_20140328',
        operations: {
            CreateLogGroup: ({ logGroupName }) => {
                if (emulator.stateOf('logs', () => ({ groups: {} })).groups[logGroupName]) {
                    throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
                }
                store.group(logGroupName, true);
                return {};
            },
            CreateLogStream: ({ logGroupName, logStreamName }) => {
                if (store.group(logGroupName).streams[logStreamName]) {
                    throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
                }
                store.stream(logGroupName, logStreamName, true);
                return {};
            },
            PutLogEvents: ({ logGroupName, logStreamName, logEvents }) => {
                const stream = store.stream(logGroupName, logStreamName);
                for (const e of logEvents ?? [])
                    stream.events.push({ timestamp: e.timestamp, message: e.message, ingestionTime: emulator.now() });
                return { nextSequenceToken: String(stream.events.length) };
            },
            DescribeLogGroups: ({ logGroupNamePrefix }) => ({
                logGroups: Object.entries(emulator.stateOf('logs', () => ({ groups: {} })).groups)
                    .filter(([name]) => !logGroupNamePrefix || name.startsWith(logGroupNamePrefix))
                    .map(([name, g]) => ({ logGroupName: name, creationTime: g.created }))
            }),
            DescribeLogStreams: ({ logGroupName, logStreamNamePrefix, descending, orderBy }) => {
                let streams = Object.values(store.group(logGroupName).streams).filter((s) => !logStreamNamePrefix || s.name.startsWith(logStreamNamePrefix));
                streams.sort((a, b) => orderBy === 'LastEventTime'
                    ? (a.events.at(-1)?.timestamp ?? 0) - (b.events.at(-1)?.timestamp ?? 0)
                    : a.name.localeCompare(b.name));
                if (descending)
                    streams = streams.reverse();
                return {
                    logStreams: streams.map((s) => ({
                        logStreamName: s.name,
                        creationTime: s.created,
                        firstEventTimestamp: s.events[0]?.timestamp,
                        lastEventTimestamp: s.events.at(-1)?.timestamp,
                        lastIngestionTime: s.events.at(-1)?.ingestionTime,
                        storedBytes: 0
                    }))
                };
            },
            GetLogEvents: ({ logGroupName, logStreamName, nextToken, startFromHead, limit }) => {
                const events = store.stream(logGroupName, logStreamName).events;
                const max = Math.min(limit ?? PAGE, PAGE);
                let from = startFromHead ? 0 : Math.max(0, events.length - max);
                if (nextToken) {
                    const [dir, index] = String(nextToken).split('/');
                    from = dir === 'f' ? Number(index) : Math.max(0, Number(index) - max);
                }
                const page = events.slice(from, from + max);
                return {
                    events: page,
                    nextForwardToken: token('f', from + page.length),
                    nextBackwardToken: token('b', from)
                };
            },
            FilterLogEvents: ({ logGroupName, logStreamNames, logStreamNamePrefix, filterPattern, startTime, endTime, nextToken, limit }) => {
                const streams = Object.values(store.group(logGroupName).streams).filter((s) => (!logStreamNames || logStreamNames.includes(s.name)) &&
                    (!logStreamNamePrefix || s.name.startsWith(logStreamNamePrefix)));
                const terms = String(filterPattern ?? '')
                    .split(/\s+/)
                    .filter(Boolean)
                    .map((t) => t.replace(/^"|"$/g, ''));
                const all = streams
                    .flatMap((s) => s.events.map((e, i) => ({ ...e, logStreamName: s.name, eventId: `${s.name}-${i}` })))
                    .filter((e) => (startTime === undefined || e.timestamp >= startTime) &&
                    (endTime === undefined || e.timestamp <= endTime))
                    .filter((e) => terms.every((t) => e.message.includes(t)))
                    .sort((a, b) => a.timestamp - b.timestamp);
                const from = nextToken ? Number(nextToken) : 0;
                const max = Math.min(limit ?? PAGE, PAGE);
                const page = all.slice(from, from + max);
                return {
                    events: page,
                    searchedLogStreams: streams.map((s) => ({ logStreamName: s.name, searchedCompletely: true })),
                    ...(from + max < all.length ? { nextToken: String(from + max) } : {})
                };
            }
        }
    };
}

;// CONCATENATED MODULE: ./.bundle/lib/emulator/services/s3.js
/**
 * S3 (path-style REST) for the emulator: buckets, objects with ranges, listings (v1 and v2),
 * multipart uploads and batch deletes, stored as files under the emulator's data directory. Enough
 * for the SDK, the AWS CLI and the actions; aws-chunked request bodies are decoded.
 */




const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
class S3Error extends Error {
    status;
    code;
    constructor(status, code, message) {
        super(message);
        this.status = status;
        this.code = code;
    }
}
/** Decodes an aws-chunked body (`<hex size>;chunk-signature=...\r\n<data>\r\n ... 0;...\r\n`). */
function decodeAwsChunked(body) {
    const parts = [];
    let at = 0;
    while (at < body.length) {
        const eol = body.indexOf('\r\n', at);
        if (eol < 0)
            break;
        const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0], 16);
        if (!size)
            break;
        parts.push(body.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
    }
    return Buffer.concat(parts);
}
class S3Store {
    root;
    constructor(root) {
        this.root = root;
    }
    bucketDir(bucket) {
        return external_node_path_.join(this.root, bucket);
    }
    objectFile(bucket, key) {
        return external_node_path_.join(this.bucketDir(bucket), 'objects', Buffer.from(key, 'utf8').toString('hex').slice(0, 200) +
            '-' +
            (0,external_node_crypto_.createHash)('sha1').update(key).digest('hex'));
    }
    bucketExists(bucket) {
        return external_node_fs_.existsSync(this.bucketDir(bucket));
    }
    createBucket(bucket) {
        if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
            throw new S3Error(400, 'InvalidBucketName', `The bucket name ${bucket} is not valid.`);
        external_node_fs_.mkdirSync(external_node_path_.join(this.bucketDir(bucket), 'objects'), { recursive: true });
        external_node_fs_.mkdirSync(external_node_path_.join(this.bucketDir(bucket), 'uploads'), { recursive: true });
    }
    buckets() {
        return external_node_fs_.existsSync(this.root) ? external_node_fs_.readdirSync(this.root).sort() : [];
    }
    requireBucket(bucket) {
        if (!this.bucketExists(bucket))
            throw new S3Error(404, 'NoSuchBucket', `The bucket ${bucket} does not exist.`);
    }
    put(bucket, key, data, contentType = 'binary/octet-stream', metadata = {}, etag) {
        this.requireBucket(bucket);
        const file = this.objectFile(bucket, key);
        const meta = {
            key,
            size: data.length,
            etag: etag ?? (0,external_node_crypto_.createHash)('md5').update(data).digest('hex'),
            contentType,
            lastModified: new Date().toISOString(),
            metadata
        };
        external_node_fs_.writeFileSync(`${file}.tmp`, data);
        external_node_fs_.writeFileSync(`${file}.json.tmp`, JSON.stringify(meta));
        external_node_fs_.renameSync(`${file}.tmp`, file);
        external_node_fs_.renameSync(`${file}.json.tmp`, `${file}.json`);
        return meta;
    }
    head(bucket, key) {
        this.requireBucket(bucket);
        const file = `${this.objectFile(bucket, key)}.json`;
        return external_node_fs_.existsSync(file) ? JSON.parse(external_node_fs_.readFileSync(file, 'utf8')) : undefined;
    }
    read(bucket, key) {
        return external_node_fs_.readFileSync(this.objectFile(bucket, key));
    }
    delete(bucket, key) {
        this.requireBucket(bucket);
        const file = this.objectFile(bucket, key);
        external_node_fs_.rmSync(file, { force: true });
        external_node_fs_.rmSync(`${file}.json`, { force: true });
    }
    list(bucket) {
        this.requireBucket(bucket);
        const dir = external_node_path_.join(this.bucketDir(bucket), 'objects');
        return external_node_fs_.readdirSync(dir)
            .filter((f) => f.endsWith('.json'))
            .map((f) => JSON.parse(external_node_fs_.readFileSync(external_node_path_.join(dir, f), 'utf8')))
            .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    }
    uploadDir(bucket, uploadId) {
        return external_node_path_.join(this.bucketDir(bucket), 'uploads', uploadId.replace(/[^a-zA-Z0-9-]/g, ''));
    }
}
function sendXml(res, status, root, body, headers = {}) {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="${NS}">${toXml(body)}</${root}>`;
    res.writeHead(status, {
        'content-type': 'application/xml',
        'content-length': Buffer.byteLength(xml),
        ...headers
    });
    res.end(xml);
}
function listing(store, bucket, q, v2) {
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const maxKeys = Math.min(Number(q.get('max-keys') ?? 1000), 1000);
    const after = v2
        ? q.get('continuation-token')
            ? Buffer.from(q.get('continuation-token'), 'base64').toString('utf8')
            : (q.get('start-after') ?? '')
        : (q.get('marker') ?? '');
    const contents = [];
    const prefixes = [];
    let truncated = false;
    let last = '';
    for (const object of store.list(bucket)) {
        if (!object.key.startsWith(prefix) || (after && object.key <= after))
            continue;
        let entry = object.key;
        if (delimiter) {
            const i = object.key.indexOf(delimiter, prefix.length);
            if (i >= 0)
                entry = object.key.slice(0, i + delimiter.length);
        }
        if (entry !== object.key && prefixes.includes(entry))
            continue;
        if (contents.length + prefixes.length >= maxKeys) {
            truncated = true;
            break;
        }
        if (entry !== object.key)
            prefixes.push(entry);
        else
            contents.push(object);
        last = entry !== object.key ? entry : object.key;
    }
    const body = {
        Name: bucket,
        Prefix: prefix,
        ...(delimiter ? { Delimiter: delimiter } : {}),
        MaxKeys: maxKeys,
        IsTruncated: truncated
    };
    if (v2) {
        body.KeyCount = contents.length + prefixes.length;
        if (truncated)
            body.NextContinuationToken = Buffer.from(last, 'utf8').toString('base64');
    }
    else if (truncated)
        body.NextMarker = last;
    return { body, contents, prefixes };
}
function listXml(store, bucket, q, v2) {
    const { body, contents, prefixes } = listing(store, bucket, q, v2);
    return (toXml(body) +
        contents
            .map((o) => `<Contents>${toXml({ Key: o.key, LastModified: o.lastModified, ETag: `"${o.etag}"`, Size: o.size, StorageClass: 'STANDARD' })}</Contents>`)
            .join('') +
        prefixes.map((p) => `<CommonPrefixes><Prefix>${toXml(p)}</Prefix></CommonPrefixes>`).join(''));
}
function s3(emulator) {
    const store = new S3Store(external_node_path_.join(emulator.dataDir, 's3'));
    return {
        name: 's3',
        signingName: 's3',
        protocol: 'query',
        operations: {},
        raw: async (req, res, rawBody) => {
            const url = new URL(req.url ?? '/', 'http://127.0.0.1');
            const q = url.searchParams;
            const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
            const key = decodeURIComponent(rest.join('/'));
            const streaming = String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-') ||
                /aws-chunked/.test(String(req.headers['content-encoding'] ?? ''));
            const body = streaming ? decodeAwsChunked(rawBody) : rawBody;
            const method = req.method ?? 'GET';
            let operation = 'Unknown';
            try {
                if (!bucket) {
                    operation = 'ListBuckets';
                    sendXml(res, 200, 'ListAllMyBucketsResult', { Owner: { ID: 'emulator' } }, {});
                    return operation;
                }
                if (!key) {
                    if (method === 'PUT') {
                        operation = 'CreateBucket';
                        store.createBucket(bucket);
                        res.writeHead(200, { location: `/${bucket}` }).end();
                    }
                    else if (method === 'HEAD') {
                        operation = 'HeadBucket';
                        res.writeHead(store.bucketExists(bucket) ? 200 : 404).end();
                    }
                    else if (method === 'POST' && q.has('delete')) {
                        operation = 'DeleteObjects';
                        const keys = [...body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]
                            .replace(/&lt;/g, '<')
                            .replace(/&gt;/g, '>')
                            .replace(/&quot;/g, '"')
                            .replace(/&amp;/g, '&'));
                        keys.forEach((k) => store.delete(bucket, k));
                        const deleted = keys.map((k) => `<Deleted><Key>${toXml(k)}</Key></Deleted>`).join('');
                        const xml = `<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="${NS}">${deleted}</DeleteResult>`;
                        res.writeHead(200, { 'content-type': 'application/xml' }).end(xml);
                    }
                    else if (method === 'GET' && q.has('location')) {
                        operation = 'GetBucketLocation';
                        store.list(bucket);
                        sendXml(res, 200, 'LocationConstraint', '');
                    }
                    else if (method === 'GET') {
                        const v2 = q.get('list-type') === '2';
                        operation = v2 ? 'ListObjectsV2' : 'ListObjects';
                        store.list(bucket);
                        const xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="${NS}">${listXml(store, bucket, q, v2)}</ListBucketResult>`;
                        res
                            .writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) })
                            .end(xml);
                    }
                    else
                        throw new S3Error(405, 'MethodNotAllowed', `${method} on a bucket is not emulated.`);
                    return operation;
                }
                if (method === 'POST' && q.has('uploads')) {
                    operation = 'CreateMultipartUpload';
                    store.list(bucket);
                    const uploadId = `${Date.now().toString(36)}-${(0,external_node_crypto_.createHash)('sha1')
                        .update(key + Math.random())
                        .digest('hex')
                        .slice(0, 16)}`;
                    external_node_fs_.mkdirSync(store.uploadDir(bucket, uploadId), { recursive: true });
                    external_node_fs_.writeFileSync(external_node_path_.join(store.uploadDir(bucket, uploadId), 'meta.json'), JSON.stringify({ key, contentType: req.headers['content-type'] }));
                    sendXml(res, 200, 'InitiateMultipartUploadResult', {
                        Bucket: bucket,
                        Key: key,
                        UploadId: uploadId
                    });
                }
                else if (method === 'PUT' && q.has('uploadId')) {
                    operation = 'UploadPart';
                    const dir = store.uploadDir(bucket, q.get('uploadId'));
                    if (!external_node_fs_.existsSync(dir))
                        throw new S3Error(404, 'NoSuchUpload', 'The upload does not exist.');
                    external_node_fs_.writeFileSync(external_node_path_.join(dir, `part-${String(Number(q.get('partNumber'))).padStart(5, '0')}`), body);
                    res.writeHead(200, { etag: `"${(0,external_node_crypto_.createHash)('md5').update(body).digest('hex')}"` }).end();
                }
                else if (method === 'POST' && q.has('uploadId')) {
                    operation = 'CompleteMultipartUpload';
                    const dir = store.uploadDir(bucket, q.get('uploadId'));
                    if (!external_node_fs_.existsSync(dir))
                        throw new S3Error(404, 'NoSuchUpload', 'The upload does not exist.');
                    const numbers = [...body.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
                    const parts = numbers.map((n) => {
                        const file = external_node_path_.join(dir, `part-${String(n).padStart(5, '0')}`);
                        if (!external_node_fs_.existsSync(file))
                            throw new S3Error(400, 'InvalidPart', `Part ${n} was not uploaded.`);
                        return external_node_fs_.readFileSync(file);
                    });
                    const md5s = Buffer.concat(parts.map((p) => (0,external_node_crypto_.createHash)('md5').update(p).digest()));
                    const etag = `${(0,external_node_crypto_.createHash)('md5').update(md5s).digest('hex')}-${parts.length}`;
                    const meta = JSON.parse(external_node_fs_.readFileSync(external_node_path_.join(dir, 'meta.json'), 'utf8'));
                    store.put(bucket, key, Buffer.concat(parts), meta.contentType, {}, etag);
                    external_node_fs_.rmSync(dir, { recursive: true, force: true });
                    sendXml(res, 200, 'CompleteMultipartUploadResult', { Bucket: bucket, Key: key, ETag: `"${etag}"` });
                }
                else if (method === 'DELETE' && q.has('uploadId')) {
                    operation = 'AbortMultipartUpload';
                    external_node_fs_.rmSync(store.uploadDir(bucket, q.get('uploadId')), { recursive: true, force: true });
                    res.writeHead(204).end();
                }
                else if (method === 'PUT') {
                    operation = 'PutObject';
                    const metadata = Object.fromEntries(Object.entries(req.headers)
                        .filter(([h]) => h.startsWith('x-amz-meta-'))
                        .map(([h, v]) => [h.slice(11), String(v)]));
                    const meta = store.put(bucket, key, body, String(req.headers['content-type'] ?? 'binary/octet-stream'), metadata);
                    res.writeHead(200, { etag: `"${meta.etag}"` }).end();
                }
                else if (method === 'GET' || method === 'HEAD') {
                    operation = method === 'GET' ? 'GetObject' : 'HeadObject';
                    const meta = store.head(bucket, key);
                    if (!meta)
                        throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
                    const headers = {
                        'content-type': meta.contentType,
                        etag: `"${meta.etag}"`,
                        'last-modified': new Date(meta.lastModified).toUTCString(),
                        'accept-ranges': 'bytes',
                        ...Object.fromEntries(Object.entries(meta.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v]))
                    };
                    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
                    if (range && meta.size > 0) {
                        const start = range[1] ? Number(range[1]) : Math.max(0, meta.size - Number(range[2]));
                        const end = range[1] && range[2] ? Math.min(Number(range[2]), meta.size - 1) : meta.size - 1;
                        headers['content-range'] = `bytes ${start}-${end}/${meta.size}`;
                        headers['content-length'] = end - start + 1;
                        res.writeHead(206, headers);
                        if (method === 'HEAD')
                            res.end();
                        else
                            external_node_fs_.createReadStream(store.objectFile(bucket, key), { start, end }).pipe(res);
                    }
                    else {
                        headers['content-length'] = meta.size;
                        res.writeHead(200, headers);
                        if (method === 'HEAD')
                            res.end();
                        else
                            external_node_fs_.createReadStream(store.objectFile(bucket, key)).pipe(res);
                    }
                }
                else if (method === 'DELETE') {
                    operation = 'DeleteObject';
                    store.delete(bucket, key);
                    res.writeHead(204).end();
                }
                else
                    throw new S3Error(405, 'MethodNotAllowed', `${method} on an object is not emulated.`);
                return operation;
            }
            catch (e) {
                const error = e instanceof S3Error ? e : new S3Error(500, 'InternalError', String(e?.stack ?? e));
                if (method === 'HEAD')
                    res.writeHead(error.status).end();
                else
                    sendXml(res, error.status, 'Error', {
                        Code: error.code,
                        Message: error.message,
                        Resource: url.pathname
                    });
                return operation;
            }
        }
    };
}

;// CONCATENATED MODULE: ./.bundle/lib/emulator/services/sagemaker.js



/** Service-side durations, in seconds before the time scale. */
const DURATIONS = {
    /** A new endpoint or a new fleet, until its instances pass the health check. */
    provision: 240,
    /** Each shift of traffic to the new fleet. */
    activate: 10,
    /** Sending all traffic back to the old fleet and removing the new one. */
    rollback: 60,
    /** UpdateEndpointWeightsAndCapacities. */
    weights: 30,
    delete: 30
};
const DEFAULT_INSTANCE_LIMIT = 50;
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const NAME_PATTERN = '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const INSTANCE_TYPE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;
const TAG_KEY = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const SERVERLESS_MEMORY = [1024, 2048, 3072, 4096, 5120, 6144];
const patternError = (value, field, pattern) => validation(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`);
/** Sorts names by code point, as SageMaker's listings do. */
const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
function checkName(name, field) {
    if (typeof name !== 'string' || !NAME.test(name))
        throw patternError(name, field, NAME_PATTERN);
    return name;
}
function page(items, maxResults, nextToken, fallback = 10) {
    const max = maxResults === undefined ? fallback : Number(maxResults);
    if (!Number.isInteger(max) || max < 1 || max > 100) {
        throw validation(`1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`);
    }
    const from = nextToken === undefined || nextToken === '' ? 0 : Number(nextToken);
    if (!Number.isInteger(from) || from < 0 || from > items.length)
        throw validation('Invalid pagination token.');
    return {
        items: items.slice(from, from + max),
        next: from + max < items.length ? String(from + max) : undefined
    };
}
/** The share of a fleet that a CapacitySize turns on: whole instances (at least one) unless serverless. */
function capacityShare(size, variant) {
    if (!size)
        return 1;
    if (variant.ServerlessConfig)
        return Math.min(1, size.Value / 100);
    const instances = Math.max(1, variant.InitialInstanceCount ?? 1);
    const count = size.Type === 'INSTANCE_COUNT'
        ? size.Value
        : Math.max(1, Math.ceil((size.Value / 100) * instances - 1e-9));
    return Math.min(1, count / instances);
}
function sagemaker(emulator) {
    const state = () => emulator.stateOf('sagemaker', () => ({ models: {}, configs: {}, endpoints: {}, tags: {} }));
    const scaled = (seconds) => emulator.scaled(seconds);
    const arnOf = (request, kind, name) => `arn:aws:sagemaker:${request.region ?? 'us-east-1'}:${ACCOUNT_ID}:${kind}/${name.toLowerCase()}`;
    function takeFault() {
        const faults = emulator.faults;
        let fault;
        if (faults['sagemaker.nextUpdate'] === 'Failed' ||
            faults['sagemaker.nextUpdate'] === 'UpdateRollbackFailed')
            fault = faults['sagemaker.nextUpdate'];
        else if (faults['sagemaker.failHealthCheck'])
            fault = 'HealthCheck';
        delete faults['sagemaker.nextUpdate'];
        delete faults['sagemaker.failHealthCheck'];
        return fault;
    }
    /** The runtime variants of a config, as DescribeEndpoint shows them once it is live. */
    function runtimeVariants(configName, at) {
        const config = state().configs[configName];
        return (config?.ProductionVariants ?? []).map((v) => {
            const image = state().models[v.ModelName]?.PrimaryContainer?.Image;
            return {
                VariantName: v.VariantName,
                DeployedImages: image ? [{ SpecifiedImage: image, ResolvedImage: image, ResolutionTime: at }] : [],
                CurrentWeight: v.InitialVariantWeight ?? 1,
                DesiredWeight: v.InitialVariantWeight ?? 1,
                ...(v.ServerlessConfig
                    ? { CurrentServerlessConfig: v.ServerlessConfig, DesiredServerlessConfig: v.ServerlessConfig }
                    : { CurrentInstanceCount: v.InitialInstanceCount, DesiredInstanceCount: v.InitialInstanceCount })
            };
        });
    }
    function timeline() {
        const phases = [];
        let t = 0;
        return {
            phases,
            push(ms, name, share, message) {
                phases.push({ name, from: t, to: t + ms, share, message });
                t += ms;
            }
        };
    }
    /** The phases of a blue/green update: new fleet, traffic steps each followed by a bake, termination wait. */
    function blueGreenPhases(target, deployment) {
        const policy = deployment?.BlueGreenUpdatePolicy;
        const routing = policy?.TrafficRoutingConfiguration ?? { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 };
        const variant = target.ProductionVariants[0];
        const shares = [];
        if (routing.Type === 'CANARY')
            shares.push(capacityShare(routing.CanarySize, variant), 1);
        else if (routing.Type === 'LINEAR') {
            const step = capacityShare(routing.LinearStepSize, variant);
            for (let s = step; s < 1 - 1e-9; s += step)
                shares.push(Math.round(s * 1e6) / 1e6);
            shares.push(1);
        }
        else
            shares.push(1);
        const { phases, push } = timeline();
        push(scaled(DURATIONS.provision), 'Creating', 0, 'Creating the new fleet');
        const bake = scaled(routing.WaitIntervalInSeconds ?? 0);
        for (const share of shares) {
            const percent = Math.round(share * 1000) / 10;
            push(scaled(DURATIONS.activate), 'ActivatingTraffic', share, `Shifting ${percent}% of traffic to the new fleet`);
            if (bake)
                push(bake, 'Baking', share, `Baking with ${percent}% of traffic on the new fleet`);
        }
        const termination = scaled(policy?.TerminationWaitInSeconds ?? 0);
        if (termination)
            push(termination, 'TerminationWait', 1, 'Waiting before the old fleet is terminated');
        return phases;
    }
    /** Where `op` is at `now`: a pure function of the timeline, the alarms' history and the clock. */
    function progress(endpoint, op, now) {
        const at = (offset) => op.started + offset;
        const end = at(op.phases[op.phases.length - 1].to);
        if (op.kind === 'weights' || op.kind === 'delete') {
            return now >= end
                ? {
                    state: 'done',
                    at: end,
                    status: op.kind === 'delete' ? 'Deleted' : 'InService',
                    config: endpoint.config
                }
                : { state: 'running', phase: op.phases[0] };
        }
        const provisioned = at(op.phases[0].to);
        const healthReason = `The primary container for production variant ${state().configs[op.target]?.ProductionVariants?.[0]?.VariantName ?? 'AllTraffic'} did not pass the ping health check. Please check CloudWatch logs for this endpoint.`;
        if (op.kind === 'create') {
            if (now < provisioned)
                return { state: 'running', phase: op.phases[0] };
            if (op.fault === 'HealthCheck')
                return { state: 'done', at: provisioned, status: 'Failed', config: op.target, reason: healthReason };
            if (op.fault)
                return {
                    state: 'done',
                    at: provisioned,
                    status: 'Failed',
                    config: op.target,
                    reason: 'Request to service failed. If failure persists after retry, contact customer support.'
                };
            return { state: 'done', at: provisioned, status: 'InService', config: op.target };
        }
        // An update: find the first moment it went wrong, if it did.
        let trip;
        if (op.fault === 'Failed' && now >= provisioned) {
            return {
                state: 'done',
                at: provisioned,
                status: 'Failed',
                config: endpoint.config,
                reason: 'Request to service failed. If failure persists after retry, contact customer support.'
            };
        }
        if (op.fault === 'HealthCheck')
            trip = { at: provisioned, reason: `The new fleet failed: ${healthReason}`, rollbackFails: false };
        if (op.fault === 'UpdateRollbackFailed') {
            const shift = op.phases.find((p) => p.name === 'ActivatingTraffic') ?? op.phases[0];
            trip = {
                at: at(shift.from),
                reason: 'An error occurred while shifting traffic to the new fleet.',
                rollbackFails: true
            };
        }
        for (const phase of op.phases) {
            if (phase.name !== 'Baking' || !op.alarms.length)
                continue;
            const from = at(phase.from);
            if (from > now || (trip && trip.at <= from))
                break;
            const fired = firstAlarm(emulator, op.alarms, from, Math.min(at(phase.to), now + 1));
            if (fired && (!trip || fired.at < trip.at)) {
                const percent = Math.round(phase.share * 1000) / 10;
                trip = {
                    at: fired.at,
                    reason: `Alarm ${fired.name} went into ALARM while baking with ${percent}% of traffic on the new fleet, so SageMaker rolled the update back.`,
                    rollbackFails: op.fault === 'UpdateRollbackFailed'
                };
                break;
            }
        }
        if (trip && trip.at <= now) {
            const rolledBack = trip.at + op.rollbackMs;
            if (now < rolledBack)
                return { state: 'rolling-back', since: trip.at, reason: trip.reason };
            if (trip.rollbackFails) {
                return {
                    state: 'done',
                    at: rolledBack,
                    status: 'UpdateRollbackFailed',
                    config: endpoint.config,
                    reason: `${trip.reason} The rollback failed too: the endpoint may serve both the old and the new fleet.`
                };
            }
            return {
                state: 'done',
                at: rolledBack,
                status: 'InService',
                config: op.previous,
                reason: trip.reason
            };
        }
        if (now >= end)
            return { state: 'done', at: end, status: 'InService', config: op.target };
        const phase = op.phases.find((p) => now < at(p.to)) ?? op.phases[op.phases.length - 1];
        return { state: 'running', phase };
    }
    /** Brings an endpoint's stored state up to now: a finished operation becomes its outcome. */
    function advance(endpoint) {
        const op = endpoint.op;
        if (!op)
            return;
        const p = progress(endpoint, op, emulator.now());
        if (p.state !== 'done')
            return;
        endpoint.op = undefined;
        endpoint.modified = p.at;
        if (op.kind === 'delete') {
            delete state().tags[endpoint.arn];
            delete state().endpoints[endpoint.name];
            return;
        }
        endpoint.status = p.status;
        endpoint.failureReason = p.reason;
        if (op.kind === 'weights') {
            for (const d of op.desired ?? []) {
                const v = endpoint.variants.find((x) => x.VariantName === d.VariantName);
                if (!v)
                    continue;
                if (d.DesiredWeight !== undefined)
                    v.CurrentWeight = v.DesiredWeight = d.DesiredWeight;
                if (d.DesiredInstanceCount !== undefined)
                    v.CurrentInstanceCount = v.DesiredInstanceCount = d.DesiredInstanceCount;
            }
            return;
        }
        if (p.status === 'InService' && p.config === op.target) {
            endpoint.config = p.config;
            endpoint.variants = runtimeVariants(p.config, p.at);
        }
    }
    function view(endpoint) {
        const op = endpoint.op;
        const date = (ms) => new Date(ms);
        const out = {
            EndpointName: endpoint.name,
            EndpointArn: endpoint.arn,
            EndpointConfigName: endpoint.config,
            EndpointStatus: endpoint.status,
            FailureReason: endpoint.failureReason,
            CreationTime: date(endpoint.created),
            LastModifiedTime: date(endpoint.modified),
            ProductionVariants: endpoint.variants.map((v) => ({
                ...v,
                DeployedImages: (v.DeployedImages ?? []).map((i) => ({
                    ...i,
                    ResolutionTime: date(i.ResolutionTime)
                }))
            })),
            ...(endpoint.deploymentConfig ? { LastDeploymentConfig: endpoint.deploymentConfig } : {})
        };
        if (!out.ProductionVariants.length)
            delete out.ProductionVariants;
        if (!op)
            return out;
        const p = progress(endpoint, op, emulator.now());
        if (op.kind === 'weights') {
            out.ProductionVariants = out.ProductionVariants?.map((v) => {
                const d = op.desired?.find((x) => x.VariantName === v.VariantName);
                return {
                    ...v,
                    DesiredWeight: d?.DesiredWeight ?? v.DesiredWeight,
                    ...(v.CurrentInstanceCount !== undefined
                        ? { DesiredInstanceCount: d?.DesiredInstanceCount ?? v.DesiredInstanceCount }
                        : {})
                };
            });
            return out;
        }
        if (op.kind !== 'update')
            return out;
        const target = state().configs[op.target];
        const status = p.state === 'rolling-back'
            ? { Status: 'Deleting', StatusMessage: `Rolling back: ${p.reason}`, StartTime: date(p.since) }
            : p.state === 'running'
                ? {
                    Status: p.phase.name === 'TerminationWait' ? 'Deleting' : p.phase.name,
                    StatusMessage: p.phase.message,
                    StartTime: date(op.started + p.phase.from)
                }
                : undefined;
        const share = p.state === 'running' ? p.phase.share : 0;
        out.PendingDeploymentSummary = {
            EndpointConfigName: op.target,
            StartTime: date(op.started),
            ProductionVariants: (target?.ProductionVariants ?? []).map((v) => {
                const image = state().models[v.ModelName]?.PrimaryContainer?.Image;
                const weight = v.InitialVariantWeight ?? 1;
                return {
                    VariantName: v.VariantName,
                    DeployedImages: image ? [{ SpecifiedImage: image, ResolvedImage: image }] : [],
                    CurrentWeight: Math.round(share * weight * 1000) / 1000,
                    DesiredWeight: weight,
                    ...(v.ServerlessConfig
                        ? { DesiredServerlessConfig: v.ServerlessConfig }
                        : {
                            CurrentInstanceCount: p.state === 'running' && p.phase.name !== 'Creating' ? v.InitialInstanceCount : 0,
                            DesiredInstanceCount: v.InitialInstanceCount,
                            InstanceType: v.InstanceType
                        }),
                    VariantStatus: status ? [status] : []
                };
            })
        };
        return out;
    }
    function endpointOf(request, name) {
        const endpoint = typeof name === 'string' ? state().endpoints[name] : undefined;
        if (endpoint)
            advance(endpoint);
        const live = typeof name === 'string' ? state().endpoints[name] : undefined;
        if (!live)
            throw validation(`Could not find endpoint "${arnOf(request, 'endpoint', String(name))}".`);
        return live;
    }
    function configOf(request, name) {
        const config = typeof name === 'string' ? state().configs[name] : undefined;
        if (!config)
            throw validation(`Could not find endpoint configuration "${arnOf(request, 'endpoint-config', String(name))}".`);
        return config;
    }
    function resourceOf(resourceArn) {
        const s = state();
        return (typeof resourceArn === 'string' &&
            (Object.values(s.models).some((m) => m.ModelArn === resourceArn) ||
                Object.values(s.configs).some((c) => c.EndpointConfigArn === resourceArn) ||
                Object.values(s.endpoints).some((e) => e.arn === resourceArn)));
    }
    function checkTags(tags) {
        if (tags === undefined)
            return [];
        if (!Array.isArray(tags) || tags.length > 50)
            throw validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
        for (const t of tags) {
            if (typeof t?.Key !== 'string' || !t.Key.length || t.Key.length > 128 || !TAG_KEY.test(t.Key))
                throw patternError(t?.Key, 'tags.member.key', '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
            if (t.Key.toLowerCase().startsWith('aws:'))
                throw validation(`Tag keys starting with "aws:" are reserved: ${t.Key}.`);
            if (typeof t.Value !== 'string' || t.Value.length > 256 || !TAG_KEY.test(t.Value))
                throw patternError(t?.Value, 'tags.member.value', '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
        }
        return tags;
    }
    function setTags(resourceArn, tags) {
        const current = { ...(state().tags[resourceArn] ?? {}) };
        for (const t of tags)
            current[t.Key] = t.Value;
        if (Object.keys(current).length > 50)
            throw validation(`The resource ${resourceArn} cannot have more than 50 tags.`);
        state().tags[resourceArn] = current;
    }
    /** Instances of `type` the account runs: live fleets, new fleets being deployed. */
    function instancesInUse(type) {
        let count = 0;
        const add = (configName) => {
            for (const v of state().configs[configName ?? '']?.ProductionVariants ?? [])
                if (v.InstanceType === type)
                    count += v.InitialInstanceCount ?? 0;
        };
        for (const e of Object.values(state().endpoints)) {
            if (e.status === 'Failed')
                continue;
            add(e.config);
            if (e.op?.kind === 'update')
                add(e.op.target);
        }
        return count;
    }
    function checkCapacity(config) {
        const limit = Number(emulator.faults['sagemaker.instanceLimit'] ?? DEFAULT_INSTANCE_LIMIT);
        const wanted = new Map();
        for (const v of config.ProductionVariants)
            if (v.InstanceType)
                wanted.set(v.InstanceType, (wanted.get(v.InstanceType) ?? 0) + v.InitialInstanceCount);
        for (const [type, delta] of wanted) {
            const used = instancesInUse(type);
            if (used + delta > limit) {
                throw new AwsError('ResourceLimitExceeded', `The account-level service limit '${type} for endpoint usage' is ${limit} Instances, with current utilization of ${used} Instances and a request delta of ${delta} Instances. Please use AWS Service Quotas to request an increase for this quota.`);
            }
        }
    }
    function validateDeploymentConfig(dc, current, target) {
        if (!dc)
            return;
        const policy = dc.BlueGreenUpdatePolicy;
        const rolling = dc.RollingUpdatePolicy;
        if (policy && rolling)
            throw validation('Only one of BlueGreenUpdatePolicy and RollingUpdatePolicy can be given.');
        const variants = target.ProductionVariants;
        if (rolling) {
            if (variants.length > 1 || variants.some((v) => v.ServerlessConfig))
                throw validation('RollingUpdatePolicy is not supported for endpoints with multiple variants or serverless variants.');
            const batch = rolling.MaximumBatchSize;
            if (!batch || !(batch.Value >= 1))
                throw validation('RollingUpdatePolicy.MaximumBatchSize is required.');
        }
        if (policy) {
            const routing = policy.TrafficRoutingConfiguration;
            if (!routing || !['ALL_AT_ONCE', 'CANARY', 'LINEAR'].includes(routing.Type))
                throw validation(`1 validation error detected: Value '${routing?.Type}' at 'deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration.type' failed to satisfy constraint: Member must satisfy enum value set: [ALL_AT_ONCE, CANARY, LINEAR]`);
            const wait = routing.WaitIntervalInSeconds;
            if (!(wait >= 0 && wait <= 3600))
                throw validation('WaitIntervalInSeconds must be between 0 and 3600.');
            const termination = policy.TerminationWaitInSeconds ?? 0;
            if (!(termination >= 0 && termination <= 3600))
                throw validation('TerminationWaitInSeconds must be between 0 and 3600.');
            const variant = variants[0];
            let steps = 1;
            if (routing.Type === 'CANARY') {
                const size = routing.CanarySize;
                if (!size || !(size.Value >= 1))
                    throw validation('CanarySize is required for CANARY traffic routing.');
                if (capacityShare(size, variant) > 0.5)
                    throw validation("CanarySize must be less than or equal to 50% of the variant's total instance count.");
                steps = 2;
            }
            if (routing.Type === 'LINEAR') {
                const size = routing.LinearStepSize;
                if (!size || !(size.Value >= 1))
                    throw validation('LinearStepSize is required for LINEAR traffic routing.');
                const share = capacityShare(size, variant);
                if (share < 0.1 - 1e-9 || share > 0.5 + 1e-9)
                    throw validation("LinearStepSize must be 10-50% of the variant's total instance count.");
                steps = Math.ceil(1 / share - 1e-9);
            }
            const timeout = policy.MaximumExecutionTimeoutInSeconds;
            if (timeout !== undefined) {
                if (!(timeout >= 600 && timeout <= 28800))
                    throw validation('MaximumExecutionTimeoutInSeconds must be between 600 and 28800.');
                if (timeout <= steps * wait + termination)
                    throw validation('MaximumExecutionTimeoutInSeconds must be larger than the total waiting time of WaitIntervalInSeconds and TerminationWaitInSeconds.');
            }
        }
        if (current && (policy || rolling)) {
            const names = (c) => c.ProductionVariants.map((v) => v.VariantName)
                .sort()
                .join(',');
            if (names(current) !== names(target))
                throw validation('Deployment guardrails require the new endpoint configuration to have the same production variant names as the current one.');
        }
        const alarms = dc.AutoRollbackConfiguration?.Alarms;
        if (alarms !== undefined && (!Array.isArray(alarms) || alarms.length < 1 || alarms.length > 10))
            throw validation('AutoRollbackConfiguration.Alarms must have between 1 and 10 alarms.');
    }
    function validateVariants(request, variants) {
        if (!Array.isArray(variants) || variants.length < 1 || variants.length > 10)
            throw validation('ProductionVariants must have between 1 and 10 variants.');
        const names = new Set();
        for (const v of variants) {
            checkName(v.VariantName, 'productionVariants.member.variantName');
            if (names.has(v.VariantName))
                throw validation(`The variant name ${v.VariantName} is used more than once.`);
            names.add(v.VariantName);
            if (!state().models[v.ModelName])
                throw validation(`Could not find model "${arnOf(request, 'model', String(v.ModelName))}".`);
            if (v.ServerlessConfig) {
                const { MemorySizeInMB: memory, MaxConcurrency: concurrency } = v.ServerlessConfig;
                if (!SERVERLESS_MEMORY.includes(memory))
                    throw validation(`Value '${memory}' at 'memorySizeInMB' failed to satisfy constraint: Member must be one of ${SERVERLESS_MEMORY.join(', ')}`);
                if (!(concurrency >= 1 && concurrency <= 200))
                    throw validation(`Value '${concurrency}' at 'maxConcurrency' failed to satisfy constraint: Member must have value between 1 and 200`);
                if (v.InstanceType || v.InitialInstanceCount)
                    throw validation('A serverless variant cannot have an InstanceType or InitialInstanceCount.');
            }
            else {
                if (!INSTANCE_TYPE.test(v.InstanceType ?? ''))
                    throw validation(`1 validation error detected: Value '${v.InstanceType}' at 'productionVariants.1.member.instanceType' failed to satisfy constraint: Member must satisfy enum value set`);
                if (!(Number.isInteger(v.InitialInstanceCount) && v.InitialInstanceCount >= 1))
                    throw validation(`1 validation error detected: Value '${v.InitialInstanceCount}' at 'productionVariants.1.member.initialInstanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1`);
            }
            if ((v.InitialVariantWeight ?? 1) < 0)
                throw validation('InitialVariantWeight must be greater than or equal to 0.');
        }
        if (variants.some((v) => v.ServerlessConfig) && variants.length > 1)
            throw validation('An endpoint configuration with a serverless variant can have only one production variant.');
    }
    function startOperation(endpoint, op) {
        const now = emulator.now();
        endpoint.op = { ...op, started: now, rollbackMs: scaled(DURATIONS.rollback) };
        endpoint.modified = now;
    }
    return {
        name: 'sagemaker',
        signingName: 'sagemaker',
        protocol: 'json1.1',
        targetPrefix: 'SageMaker',
        advance: () => Object.values(state().endpoints).forEach(advance),
        operations: {
            CreateModel: (r, request) => {
                const name = checkName(r.ModelName, 'modelName');
                if (state().models[name])
                    throw validation(`Cannot create already existing model "${arnOf(request, 'model', name)}".`);
                if (!ROLE_ARN.test(r.ExecutionRoleArn ?? ''))
                    throw patternError(r.ExecutionRoleArn, 'executionRoleArn', '^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$');
                const container = r.PrimaryContainer ?? r.Containers?.[0];
                if (!container?.Image)
                    throw validation('A primary container with an Image is required.');
                if (container.ModelDataUrl !== undefined &&
                    !/^(https|s3):\/\/([^/]+)\/?(.*)$/.test(container.ModelDataUrl))
                    throw patternError(container.ModelDataUrl, 'primaryContainer.modelDataUrl', '^(https|s3)://([^/]+)/?(.*)$');
                const env = container.Environment ?? {};
                if (Object.keys(env).length > 100)
                    throw validation('Environment can have at most 100 entries.');
                const tags = checkTags(r.Tags);
                const ModelArn = arnOf(request, 'model', name);
                state().models[name] = {
                    ModelName: name,
                    ModelArn,
                    ExecutionRoleArn: r.ExecutionRoleArn,
                    PrimaryContainer: container,
                    CreationTime: emulator.now()
                };
                setTags(ModelArn, tags);
                return { ModelArn };
            },
            DescribeModel: ({ ModelName }, request) => {
                const model = state().models[ModelName];
                if (!model)
                    throw validation(`Could not find model "${arnOf(request, 'model', String(ModelName))}".`);
                return { ...model, CreationTime: new Date(model.CreationTime) };
            },
            DeleteModel: ({ ModelName }, request) => {
                const model = state().models[ModelName];
                if (!model)
                    throw validation(`Could not find model "${arnOf(request, 'model', String(ModelName))}".`);
                delete state().tags[model.ModelArn];
                delete state().models[ModelName];
                return {};
            },
            CreateEndpointConfig: (r, request) => {
                const name = checkName(r.EndpointConfigName, 'endpointConfigName');
                if (state().configs[name])
                    throw validation(`Cannot create already existing endpoint configuration "${arnOf(request, 'endpoint-config', name)}".`);
                const variants = r.ProductionVariants;
                validateVariants(request, variants);
                const capture = r.DataCaptureConfig;
                if (capture) {
                    if (variants.some((v) => v.ServerlessConfig))
                        throw validation('DataCaptureConfig is not supported for serverless endpoints.');
                    const pct = capture.InitialSamplingPercentage;
                    if (!(Number.isInteger(pct) && pct >= 0 && pct <= 100))
                        throw validation('InitialSamplingPercentage must be between 0 and 100.');
                    if (!/^(https|s3):\/\//.test(capture.DestinationS3Uri ?? ''))
                        throw patternError(capture.DestinationS3Uri, 'dataCaptureConfig.destinationS3Uri', '^(https|s3)://([^/])/?(.*)$');
                    if (!Array.isArray(capture.CaptureOptions) ||
                        capture.CaptureOptions.length < 1 ||
                        capture.CaptureOptions.length > 2)
                        throw validation('CaptureOptions must have 1 or 2 members.');
                }
                const tags = checkTags(r.Tags);
                const EndpointConfigArn = arnOf(request, 'endpoint-config', name);
                state().configs[name] = {
                    EndpointConfigName: name,
                    EndpointConfigArn,
                    ProductionVariants: variants.map((v) => ({ InitialVariantWeight: 1, ...v })),
                    ...(capture ? { DataCaptureConfig: capture } : {}),
                    CreationTime: emulator.now()
                };
                setTags(EndpointConfigArn, tags);
                return { EndpointConfigArn };
            },
            DescribeEndpointConfig: ({ EndpointConfigName }, request) => {
                const config = configOf(request, EndpointConfigName);
                return { ...config, CreationTime: new Date(config.CreationTime) };
            },
            DeleteEndpointConfig: ({ EndpointConfigName }, request) => {
                const config = configOf(request, EndpointConfigName);
                delete state().tags[config.EndpointConfigArn];
                delete state().configs[EndpointConfigName];
                return {};
            },
            ListEndpointConfigs: (r) => {
                const sortBy = r.SortBy ?? 'CreationTime';
                const order = r.SortOrder ?? 'Descending';
                if (!['Name', 'CreationTime'].includes(sortBy))
                    throw validation(`Value '${sortBy}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [CreationTime, Name]`);
                if (!['Ascending', 'Descending'].includes(order))
                    throw validation(`Value '${order}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]`);
                const configs = Object.values(state().configs)
                    .filter((c) => !r.NameContains ||
                    c.EndpointConfigName.toLowerCase().includes(String(r.NameContains).toLowerCase()))
                    .filter((c) => r.CreationTimeBefore === undefined || c.CreationTime < r.CreationTimeBefore * 1000)
                    .filter((c) => r.CreationTimeAfter === undefined || c.CreationTime > r.CreationTimeAfter * 1000)
                    .sort((a, b) => sortBy === 'Name'
                    ? byName(a.EndpointConfigName, b.EndpointConfigName)
                    : a.CreationTime - b.CreationTime || byName(a.EndpointConfigName, b.EndpointConfigName));
                if (order === 'Descending')
                    configs.reverse();
                const { items, next } = page(configs, r.MaxResults, r.NextToken);
                return {
                    EndpointConfigs: items.map((c) => ({
                        EndpointConfigName: c.EndpointConfigName,
                        EndpointConfigArn: c.EndpointConfigArn,
                        CreationTime: new Date(c.CreationTime)
                    })),
                    ...(next ? { NextToken: next } : {})
                };
            },
            CreateEndpoint: (r, request) => {
                const name = checkName(r.EndpointName, 'endpointName');
                if (state().endpoints[name])
                    throw validation(`Cannot create already existing endpoint "${arnOf(request, 'endpoint', name)}".`);
                const config = configOf(request, r.EndpointConfigName);
                validateDeploymentConfig(r.DeploymentConfig, undefined, config);
                checkCapacity(config);
                const tags = checkTags(r.Tags);
                const now = emulator.now();
                const endpoint = {
                    name,
                    arn: arnOf(request, 'endpoint', name),
                    created: now,
                    modified: now,
                    status: 'Creating',
                    config: config.EndpointConfigName,
                    variants: [],
                    // Stored for later updates: a first deployment is always all at once.
                    deploymentConfig: r.DeploymentConfig
                };
                const { phases, push } = timeline();
                push(scaled(DURATIONS.provision), 'Creating', 1, 'Creating the endpoint');
                startOperation(endpoint, {
                    kind: 'create',
                    phases,
                    target: config.EndpointConfigName,
                    alarms: [],
                    fault: takeFault()
                });
                state().endpoints[name] = endpoint;
                setTags(endpoint.arn, tags);
                return { EndpointArn: endpoint.arn };
            },
            DescribeEndpoint: ({ EndpointName }, request) => view(endpointOf(request, EndpointName)),
            UpdateEndpoint: (r, request) => {
                const endpoint = endpointOf(request, r.EndpointName);
                const target = configOf(request, r.EndpointConfigName);
                if (endpoint.status === 'Failed')
                    throw validation(`Cannot update endpoint "${endpoint.arn}" because it is in Failed status: delete it and create it again.`);
                // An UpdateRollbackFailed endpoint can be updated: that is how a person repairs it.
                if (endpoint.status !== 'InService' && endpoint.status !== 'UpdateRollbackFailed')
                    throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
                if (r.RetainAllVariantProperties === undefined && r.ExcludeRetainedVariantProperties !== undefined)
                    throw validation('ExcludeRetainedVariantProperties requires RetainAllVariantProperties.');
                const dc = r.DeploymentConfig ?? (r.RetainDeploymentConfig ? endpoint.deploymentConfig : undefined);
                const current = state().configs[endpoint.config];
                validateDeploymentConfig(dc, current, target);
                if (current?.ProductionVariants?.some((v) => !v.ServerlessConfig) &&
                    target.ProductionVariants.some((v) => v.ServerlessConfig))
                    throw validation('An endpoint with instance-based variants cannot be updated to a serverless endpoint configuration.');
                checkCapacity(target);
                endpoint.status = 'Updating';
                endpoint.failureReason = undefined;
                if (r.DeploymentConfig)
                    endpoint.deploymentConfig = r.DeploymentConfig;
                startOperation(endpoint, {
                    kind: 'update',
                    phases: blueGreenPhases(target, dc),
                    target: target.EndpointConfigName,
                    previous: endpoint.config,
                    alarms: (dc?.AutoRollbackConfiguration?.Alarms ?? []).map((a) => a.AlarmName),
                    fault: takeFault()
                });
                return { EndpointArn: endpoint.arn };
            },
            UpdateEndpointWeightsAndCapacities: ({ EndpointName, DesiredWeightsAndCapacities }, request) => {
                const endpoint = endpointOf(request, EndpointName);
                if (endpoint.status !== 'InService')
                    throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
                if (!Array.isArray(DesiredWeightsAndCapacities) ||
                    DesiredWeightsAndCapacities.length < 1 ||
                    DesiredWeightsAndCapacities.length > 10)
                    throw validation('DesiredWeightsAndCapacities must have between 1 and 10 members.');
                for (const d of DesiredWeightsAndCapacities) {
                    const variant = endpoint.variants.find((v) => v.VariantName === d.VariantName);
                    if (!variant)
                        throw validation(`The variant name(s) [${d.VariantName}] is/are not present in the endpoint "${endpoint.arn}".`);
                    if (d.DesiredWeight === undefined && d.DesiredInstanceCount === undefined)
                        throw validation(`Give DesiredWeight or DesiredInstanceCount for variant ${d.VariantName}.`);
                    if (d.DesiredWeight !== undefined && !(d.DesiredWeight >= 0))
                        throw validation('DesiredWeight must be greater than or equal to 0.');
                    if (d.DesiredInstanceCount !== undefined) {
                        if (variant.CurrentServerlessConfig)
                            throw validation('DesiredInstanceCount is not supported for serverless variants.');
                        if (!(Number.isInteger(d.DesiredInstanceCount) && d.DesiredInstanceCount >= 0))
                            throw validation('DesiredInstanceCount must be greater than or equal to 0.');
                    }
                }
                const weights = endpoint.variants.map((v) => DesiredWeightsAndCapacities.find((d) => d.VariantName === v.VariantName)?.DesiredWeight ??
                    v.DesiredWeight);
                if (!weights.some((w) => w > 0))
                    throw validation('At least one variant must have a weight greater than 0.');
                endpoint.status = 'Updating';
                const { phases, push } = timeline();
                push(scaled(DURATIONS.weights), 'Updating', 1, 'Updating weights and capacities');
                startOperation(endpoint, {
                    kind: 'weights',
                    phases,
                    alarms: [],
                    desired: DesiredWeightsAndCapacities
                });
                return { EndpointArn: endpoint.arn };
            },
            DeleteEndpoint: ({ EndpointName }, request) => {
                const endpoint = endpointOf(request, EndpointName);
                if (endpoint.status === 'Deleting')
                    return {};
                endpoint.status = 'Deleting';
                const { phases, push } = timeline();
                push(scaled(DURATIONS.delete), 'Deleting', 0, 'Deleting the endpoint');
                startOperation(endpoint, { kind: 'delete', phases, alarms: [] });
                return {};
            },
            ListEndpoints: (r) => {
                const sortBy = r.SortBy ?? 'CreationTime';
                const order = r.SortOrder ?? 'Descending';
                if (!['Name', 'CreationTime', 'Status'].includes(sortBy))
                    throw validation(`Value '${sortBy}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [Status, CreationTime, Name]`);
                const endpoints = Object.values(state().endpoints)
                    .filter((e) => !r.NameContains || e.name.toLowerCase().includes(String(r.NameContains).toLowerCase()))
                    .filter((e) => !r.StatusEquals || e.status === r.StatusEquals)
                    .sort((a, b) => sortBy === 'Name'
                    ? byName(a.name, b.name)
                    : sortBy === 'Status'
                        ? byName(a.status, b.status)
                        : a.created - b.created);
                if (order === 'Descending')
                    endpoints.reverse();
                const { items, next } = page(endpoints, r.MaxResults, r.NextToken);
                return {
                    Endpoints: items.map((e) => ({
                        EndpointName: e.name,
                        EndpointArn: e.arn,
                        EndpointStatus: e.status,
                        CreationTime: new Date(e.created),
                        LastModifiedTime: new Date(e.modified)
                    })),
                    ...(next ? { NextToken: next } : {})
                };
            },
            AddTags: ({ ResourceArn, Tags }) => {
                if (!resourceOf(ResourceArn))
                    throw new AwsError('ResourceNotFound', `Resource ${ResourceArn} not found.`);
                const tags = checkTags(Tags);
                if (!tags.length)
                    throw validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1");
                setTags(ResourceArn, tags);
                return { Tags: tags };
            },
            ListTags: ({ ResourceArn, MaxResults, NextToken }) => {
                if (!resourceOf(ResourceArn))
                    throw new AwsError('ResourceNotFound', `Resource ${ResourceArn} not found.`);
                const tags = Object.entries(state().tags[ResourceArn] ?? {}).map(([Key, Value]) => ({ Key, Value }));
                const { items, next } = page(tags, MaxResults, NextToken, 50);
                return { Tags: items, ...(next ? { NextToken: next } : {}) };
            },
            DeleteTags: ({ ResourceArn, TagKeys }) => {
                if (!resourceOf(ResourceArn))
                    throw new AwsError('ResourceNotFound', `Resource ${ResourceArn} not found.`);
                if (!Array.isArray(TagKeys) || TagKeys.length < 1 || TagKeys.length > 50)
                    throw validation('TagKeys must have between 1 and 50 members.');
                for (const key of TagKeys)
                    delete state().tags[ResourceArn]?.[key];
                return {};
            }
        }
    };
}

// EXTERNAL MODULE: ./.bundle/lib/training/container.js
var container = __webpack_require__(7630);
// EXTERNAL MODULE: ./.bundle/lib/training/metrics.js
var metrics = __webpack_require__(8288);
// EXTERNAL MODULE: ./.bundle/lib/training/request.js
var request = __webpack_require__(7712);
;// CONCATENATED MODULE: ./.bundle/lib/emulator/services/training.js
/**
 * SageMaker training jobs in the emulator, with real execution: the training image runs on the local
 * Docker engine under the same container contract as the train action's local mode (channels copied
 * from the emulator's S3, model.tar.gz written back to <output>/<job>/output/model.tar.gz, output
 * captured as CloudWatch Logs and scanned with MetricDefinitions). `training: 'simulated'` runs the
 * same timeline without containers, for fast tests. Service-side waits follow the time scale.
 */









const LOG_GROUP = '/aws/sagemaker/TrainingJobs';
const training_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;
function training(emulator) {
    const state = () => emulator.stateOf('training', () => ({ jobs: {} }));
    const s3 = new S3Store(external_node_path_.join(emulator.dataDir, 's3'));
    const logs = new LogStore(emulator);
    const running = new Map();
    const mode = emulator.options.training ?? 'docker';
    // Jobs that were running when the emulator stopped cannot be resumed.
    for (const job of Object.values(state().jobs)) {
        if (job.status === 'InProgress' || job.status === 'Stopping') {
            finish(job, 'Failed', 'Failed', 'The emulator restarted while the job ran.');
        }
    }
    function transition(job, status, message) {
        const now = emulator.now();
        const last = job.transitions.at(-1);
        if (last && !last.EndTime)
            last.EndTime = now;
        job.transitions.push({ Status: status, StartTime: now, StatusMessage: message });
        job.secondary = status;
        job.modified = now;
        emulator.save();
    }
    function finish(job, status, secondary, reason) {
        const now = emulator.now();
        job.status = status;
        if (reason)
            job.failureReason = reason.slice(0, 1024);
        transition(job, secondary, reason ?? (status === 'Completed' ? 'Training job completed' : `Training job ${status.toLowerCase()}`));
        job.transitions.at(-1).EndTime = now;
        job.trainingEnd = now;
        if (job.trainingStart !== undefined) {
            job.trainingSeconds = Math.max(1, Math.round((now - job.trainingStart) / 1000 / emulator.timeScale));
            job.billableSeconds = job.request.EnableManagedSpotTraining
                ? Math.max(1, Math.ceil(job.trainingSeconds * 0.3))
                : job.trainingSeconds;
        }
        emulator.save();
    }
    const wait = (seconds, signal) => new Promise((resolve) => {
        const timer = setTimeout(resolve, emulator.scaled(seconds));
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    function log(job, lines) {
        logs.append(LOG_GROUP, job.logStream, lines);
    }
    async function download(job, dir) {
        const channels = {};
        for (const channel of job.request.InputDataConfig ?? []) {
            const uri = channel.DataSource?.S3DataSource?.S3Uri ?? '';
            const [, bucket, prefix = ''] = S3_URI.exec(uri) ?? [];
            if (!bucket || !s3.bucketExists(bucket))
                throw new Error(`ClientError: Data download failed: the bucket of ${uri} does not exist.`);
            const target = external_node_path_.join(dir, channel.ChannelName);
            external_node_fs_.mkdirSync(target, { recursive: true });
            const objects = s3.list(bucket).filter((o) => o.key.startsWith(prefix) && !o.key.endsWith('/'));
            if (!objects.length)
                throw new Error(`ClientError: Data download failed: no objects under ${uri}.`);
            for (const o of objects) {
                const rel = o.key.slice(prefix.length).replace(/^\/+/, '') || external_node_path_.posix.basename(o.key);
                const file = external_node_path_.resolve(target, rel);
                if (!file.startsWith(target + external_node_path_.sep))
                    continue;
                external_node_fs_.mkdirSync(external_node_path_.dirname(file), { recursive: true });
                external_node_fs_.writeFileSync(file, s3.read(bucket, o.key));
            }
            channels[channel.ChannelName] = target;
        }
        return channels;
    }
    async function execute(name, controller) {
        const job = state().jobs[name];
        const { signal } = controller;
        const workDir = external_node_path_.join(emulator.dataDir, 'training', name);
        const deadline = emulator.now() + emulator.scaled(job.request.StoppingCondition?.MaxRuntimeInSeconds ?? 86400);
        const stopped = () => signal.aborted && job.status === 'Stopping';
        try {
            external_node_fs_.rmSync(workDir, { recursive: true, force: true });
            await wait(30, signal);
            if (stopped())
                return finish(job, 'Stopped', 'Stopped');
            transition(job, 'Downloading', 'Downloading input data');
            job.trainingStart = emulator.now();
            const channels = await download(job, external_node_path_.join(workDir, 'data'));
            await wait(10, signal);
            if (stopped())
                return finish(job, 'Stopped', 'Stopped');
            transition(job, 'Training', 'Training image download completed. Training in progress.');
            const fault = emulator.faults['training.nextJob'];
            if (fault)
                delete emulator.faults['training.nextJob'];
            if (fault === 'SpotInterruption' && job.request.EnableManagedSpotTraining) {
                await wait(20, signal);
                transition(job, 'Interrupted', 'The job was interrupted because spot capacity was reclaimed.');
                log(job, ['Spot instance interrupted.']);
                return finish(job, 'Failed', 'MaxWaitTimeExceeded', 'Training job reached the maximum wait time: spot capacity was interrupted and did not return in time.');
            }
            const lines = [];
            let exitCode = 0;
            let failure;
            let timedOut = false;
            let modelDir = external_node_path_.join(workDir, 'ml', 'model');
            if (mode === 'docker') {
                const result = await (0,container/* runTrainingContainer */.Zd)({
                    jobName: name,
                    jobArn: job.arn,
                    image: job.request.AlgorithmSpecification.TrainingImage,
                    channels,
                    hyperparameters: job.request.HyperParameters ?? {},
                    environment: job.request.Environment ?? {},
                    instanceType: job.request.ResourceConfig.InstanceType,
                    metricDefinitions: {},
                    workDir: external_node_path_.join(workDir, 'ml'),
                    network: 'host'
                }, {
                    onLine: (line) => {
                        lines.push(line);
                        log(job, [line]);
                    },
                    signal,
                    timeoutSeconds: Math.max(0, (deadline - emulator.now()) / 1000),
                    stopGraceSeconds: Math.max(1, emulator.scaled(120) / 1000)
                });
                exitCode = result.exitCode;
                failure = result.failure;
                timedOut = result.timedOut;
                modelDir = result.modelDir;
            }
            else {
                external_node_fs_.mkdirSync(modelDir, { recursive: true });
                const epochs = 3;
                for (let epoch = 1; epoch <= epochs && !signal.aborted; epoch++) {
                    await wait(20, signal);
                    const line = `epoch ${epoch}/${epochs} loss=${(1 / (epoch + 1)).toFixed(4)} accuracy=${(0.7 + epoch * 0.08).toFixed(4)}`;
                    lines.push(line);
                    log(job, [line]);
                    if (emulator.now() > deadline)
                        timedOut = true;
                    if (timedOut)
                        break;
                }
                if (emulator.faults['training.fail']) {
                    failure = String(emulator.faults['training.fail']);
                    delete emulator.faults['training.fail'];
                    exitCode = 1;
                }
                external_node_fs_.writeFileSync(external_node_path_.join(modelDir, 'model.json'), JSON.stringify({ simulated: true, hyperparameters: job.request.HyperParameters ?? {} }));
            }
            const definitions = Object.fromEntries((job.request.AlgorithmSpecification.MetricDefinitions ?? []).map((d) => [d.Name, d.Regex]));
            job.metrics = Object.entries((0,metrics/* scanMetrics */.J)(lines, definitions)).map(([MetricName, Value]) => ({
                MetricName,
                Value,
                Timestamp: emulator.now()
            }));
            if (timedOut)
                return finish(job, 'Stopped', 'MaxRuntimeExceeded');
            if (stopped())
                return finish(job, 'Stopped', 'Stopped');
            if (exitCode !== 0) {
                return finish(job, 'Failed', 'Failed', failure
                    ? `AlgorithmError: ${failure}`
                    : `AlgorithmError: the training container exited with code ${exitCode}.`);
            }
            transition(job, 'Uploading', 'Uploading generated training model');
            const [, bucket, prefix = ''] = S3_URI.exec(job.request.OutputDataConfig.S3OutputPath);
            const key = [prefix.replace(/\/+$/, ''), name, 'output', 'model.tar.gz'].filter(Boolean).join('/');
            const archive = external_node_path_.join(workDir, 'model.tar.gz');
            await (0,container/* packModel */.Zo)(modelDir, archive);
            if (!s3.bucketExists(bucket))
                throw new Error(`ClientError: the output bucket ${bucket} does not exist.`);
            s3.put(bucket, key, external_node_fs_.readFileSync(archive), 'application/x-tar');
            job.modelArtifacts = `s3://${bucket}/${key}`;
            await wait(5, signal);
            finish(job, 'Completed', 'Completed');
        }
        catch (e) {
            if (job.status === 'InProgress' || job.status === 'Stopping')
                finish(job, 'Failed', 'Failed', e.message);
        }
        finally {
            running.delete(name);
            external_node_fs_.rmSync(workDir, { recursive: true, force: true });
        }
    }
    function describe(job) {
        const r = job.request;
        const date = (ms) => (ms === undefined ? undefined : new Date(ms));
        return {
            TrainingJobName: r.TrainingJobName,
            TrainingJobArn: job.arn,
            TrainingJobStatus: job.status,
            SecondaryStatus: job.secondary,
            FailureReason: job.failureReason,
            AlgorithmSpecification: r.AlgorithmSpecification,
            RoleArn: r.RoleArn,
            InputDataConfig: r.InputDataConfig,
            OutputDataConfig: r.OutputDataConfig,
            ResourceConfig: r.ResourceConfig,
            StoppingCondition: r.StoppingCondition,
            HyperParameters: r.HyperParameters,
            Environment: r.Environment,
            EnableManagedSpotTraining: r.EnableManagedSpotTraining ?? false,
            CheckpointConfig: r.CheckpointConfig,
            ModelArtifacts: job.modelArtifacts ? { S3ModelArtifacts: job.modelArtifacts } : undefined,
            CreationTime: date(job.created),
            TrainingStartTime: date(job.trainingStart),
            TrainingEndTime: date(job.trainingEnd),
            LastModifiedTime: date(job.modified),
            SecondaryStatusTransitions: job.transitions.map((t) => ({
                ...t,
                StartTime: date(t.StartTime),
                EndTime: date(t.EndTime)
            })),
            FinalMetricDataList: job.metrics.map((m) => ({ ...m, Timestamp: date(m.Timestamp) })),
            TrainingTimeInSeconds: job.trainingSeconds,
            BillableTimeInSeconds: job.billableSeconds
        };
    }
    function find(name) {
        const job = state().jobs[name];
        if (!job)
            throw validation('Requested resource not found.');
        return job;
    }
    return {
        name: 'sagemaker-training',
        signingName: 'sagemaker',
        protocol: 'json1.1',
        targetPrefix: 'SageMaker',
        operations: {
            CreateTrainingJob: (r) => {
                const name = r.TrainingJobName ?? '';
                if (!request/* JOB_NAME */.gW.test(name))
                    throw validation(`Value '${name}' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`);
                if (state().jobs[name]) {
                    throw new AwsError('ResourceInUse', `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${state().jobs[name].arn})`);
                }
                if (!training_ROLE_ARN.test(r.RoleArn ?? ''))
                    throw validation(`Value '${r.RoleArn}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$`);
                if (!r.AlgorithmSpecification?.TrainingImage)
                    throw validation('AlgorithmSpecification.TrainingImage is required.');
                if (!/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(r.ResourceConfig?.InstanceType ?? ''))
                    throw validation(`Value '${r.ResourceConfig?.InstanceType}' at 'resourceConfig.instanceType' failed to satisfy constraint: Member must satisfy enum value set.`);
                if (!(r.ResourceConfig?.InstanceCount >= 1))
                    throw validation("Value at 'resourceConfig.instanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1");
                if (!(r.ResourceConfig?.VolumeSizeInGB >= 1))
                    throw validation("Value at 'resourceConfig.volumeSizeInGB' failed to satisfy constraint: Member must have value greater than or equal to 1");
                const runtime = r.StoppingCondition?.MaxRuntimeInSeconds;
                if (!(runtime >= 1 && runtime <= 2419200))
                    throw validation("Value at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: Member must have value between 1 and 2419200");
                const maxWait = r.StoppingCondition?.MaxWaitTimeInSeconds;
                if (r.EnableManagedSpotTraining && !(maxWait >= runtime))
                    throw validation('MaxWaitTimeInSeconds must be set and be greater than or equal to MaxRuntimeInSeconds for managed spot training.');
                if (!r.EnableManagedSpotTraining && maxWait !== undefined)
                    throw validation('MaxWaitTimeInSeconds can only be set for managed spot training.');
                if (!S3_URI.test(r.OutputDataConfig?.S3OutputPath ?? ''))
                    throw validation(`Value '${r.OutputDataConfig?.S3OutputPath}' at 'outputDataConfig.s3OutputPath' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)$`);
                const channelNames = (r.InputDataConfig ?? []).map((c) => c.ChannelName);
                if (new Set(channelNames).size !== channelNames.length)
                    throw validation('Channel names must be unique.');
                for (const c of r.InputDataConfig ?? []) {
                    if (!S3_URI.test(c.DataSource?.S3DataSource?.S3Uri ?? ''))
                        throw validation(`Channel ${c.ChannelName} needs an S3 URI.`);
                }
                if (Object.keys(r.HyperParameters ?? {}).length > 100)
                    throw validation('HyperParameters can have at most 100 entries.');
                const now = emulator.now();
                const job = {
                    request: r,
                    arn: `arn:aws:sagemaker:us-east-1:${ACCOUNT_ID}:training-job/${name.toLowerCase()}`,
                    status: 'InProgress',
                    secondary: 'Starting',
                    transitions: [
                        { Status: 'Starting', StartTime: now, StatusMessage: 'Launching requested ML instances' }
                    ],
                    created: now,
                    modified: now,
                    metrics: [],
                    logStream: `${name}/algo-1-${Math.floor(now / 1000)}`
                };
                state().jobs[name] = job;
                const controller = new AbortController();
                running.set(name, controller);
                void execute(name, controller);
                return { TrainingJobArn: job.arn };
            },
            DescribeTrainingJob: ({ TrainingJobName }) => describe(find(TrainingJobName)),
            StopTrainingJob: ({ TrainingJobName }) => {
                const job = find(TrainingJobName);
                if (job.status !== 'InProgress')
                    throw validation(`The job status is ${job.status}: only InProgress jobs can be stopped.`);
                job.status = 'Stopping';
                transition(job, 'Stopping', 'Stopping the training job');
                const controller = running.get(TrainingJobName);
                if (controller)
                    controller.abort();
                else
                    finish(job, 'Stopped', 'Stopped');
                return {};
            },
            ListTrainingJobs: ({ NameContains, StatusEquals, SortBy, SortOrder, MaxResults, NextToken }) => {
                let jobs = Object.values(state().jobs)
                    .filter((j) => !NameContains || j.request.TrainingJobName.includes(NameContains))
                    .filter((j) => !StatusEquals || j.status === StatusEquals);
                const key = (j) => SortBy === 'Name'
                    ? j.request.TrainingJobName
                    : SortBy === 'Status'
                        ? j.status
                        : String(j.created).padStart(16, '0');
                jobs.sort((a, b) => key(a).localeCompare(key(b)));
                if ((SortOrder ?? 'Ascending') === 'Descending')
                    jobs = jobs.reverse();
                const from = NextToken ? Number(NextToken) : 0;
                const max = Math.min(MaxResults ?? 10, 100);
                const page = jobs.slice(from, from + max);
                return {
                    TrainingJobSummaries: page.map((j) => ({
                        TrainingJobName: j.request.TrainingJobName,
                        TrainingJobArn: j.arn,
                        TrainingJobStatus: j.status,
                        SecondaryStatus: j.secondary,
                        CreationTime: new Date(j.created),
                        TrainingEndTime: j.trainingEnd ? new Date(j.trainingEnd) : undefined,
                        LastModifiedTime: new Date(j.modified)
                    })),
                    ...(from + max < jobs.length ? { NextToken: String(from + max) } : {})
                };
            }
        }
    };
}

;// CONCATENATED MODULE: ./.bundle/lib/emulator/services/index.js






// cloudwatchQuery before cloudwatch: requests without an X-Amz-Target (the query protocol) take the
// first service of their signing name.
const ALL_SERVICES = [
    sts,
    s3,
    logs,
    cloudwatchQuery,
    cloudwatch,
    sagemaker,
    training
];

;// CONCATENATED MODULE: ./.bundle/lib/emulator/cli.js
/** `mlops-actions emulator [--port 4599] [--time-scale 0.01] [--state-file PATH]`. */



const USAGE = `Usage: mlops-actions emulator [--port 4599] [--time-scale 1] [--state-file PATH] [--training docker|simulated]

Starts a local stand-in for the AWS services the actions use (SageMaker, S3, CloudWatch Logs, STS, ...),
on 127.0.0.1. Point the actions at it:
  export AWS_ENDPOINT_URL=http://127.0.0.1:4599 AWS_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=emulator AWS_SECRET_ACCESS_KEY=emulator
  --port        TCP port on 127.0.0.1 (default 4599; 0 picks a free one)
  --time-scale  multiplies every service-side duration (0.01: a 10-minute bake takes 6 s)
  --state-file  keep state in this JSON file so separate runs share it (S3 data beside it)
  --data-dir    where S3 objects and training work live (default: beside the state file, or a temp dir)
  --training    docker (default: training jobs run their image on the local Docker engine) or
                simulated (the same timeline without containers)
Admin API: GET /_emulator/calls, POST /_emulator/faults, GET /_emulator/state, POST /_emulator/reset.
Faults (POST /_emulator/faults): {"throttle": 0.3} throttles 30% of calls; {"sagemaker.nextUpdate":
"Failed"} or "UpdateRollbackFailed" ends the next endpoint update so; {"sagemaker.failHealthCheck": true}
fails the next new fleet's health check; {"sagemaker.instanceLimit": 8} sets the instance quota.
`;
async function emulatorCommand(args) {
    const options = {};
    for (let i = 0; i < args.length; i++) {
        const [flag, inline] = args[i].split(/=(.*)/s, 2);
        if (flag === '--help' || flag === '-h') {
            process.stdout.write(USAGE);
            return 0;
        }
        if (!['--port', '--time-scale', '--state-file', '--data-dir', '--training'].includes(flag)) {
            process.stderr.write(`mlops-actions emulator: unknown option "${flag}".\n${USAGE}`);
            return 2;
        }
        options[flag.slice(2)] = inline ?? args[++i] ?? '';
    }
    const port = Number(options.port ?? 4599);
    const timeScale = Number(options['time-scale'] ?? 1);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`mlops-actions emulator: --port must be a port number, but got "${options.port}".\n`);
        return 2;
    }
    if (!(timeScale > 0) || (0,duration/* parseDuration */.E)(String(timeScale)) === undefined) {
        process.stderr.write(`mlops-actions emulator: --time-scale must be a positive number, but got "${options['time-scale']}".\n`);
        return 2;
    }
    const training = options.training ?? 'docker';
    if (training !== 'docker' && training !== 'simulated') {
        process.stderr.write(`mlops-actions emulator: --training must be docker or simulated, but got "${training}".\n`);
        return 2;
    }
    const emulator = new Emulator({
        timeScale,
        stateFile: options['state-file'],
        dataDir: options['data-dir'],
        training,
        services: ALL_SERVICES
    });
    const url = await emulator.start(port);
    process.stdout.write(`AWS emulator listening on ${url} (time scale ${timeScale}).\n`);
    await new Promise((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
    });
    await emulator.stop();
    return 0;
}


/***/ })

};
