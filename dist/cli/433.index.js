export const id = 433;
export const ids = [433];
export const modules = {

/***/ 8433:
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
    constructor(options = {}) {
        this.timeScale = options.timeScale ?? 1;
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
        if (service.raw && (await service.raw(req, res, body)))
            return;
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

;// CONCATENATED MODULE: ./.bundle/lib/emulator/services/index.js

const ALL_SERVICES = [sts];

;// CONCATENATED MODULE: ./.bundle/lib/emulator/cli.js
/** `mlops-actions emulator [--port 4599] [--time-scale 0.01] [--state-file PATH]`. */



const USAGE = `Usage: mlops-actions emulator [--port 4599] [--time-scale 1] [--state-file PATH]

Starts a local stand-in for the AWS services the actions use, on 127.0.0.1. Point the actions at it:
  export AWS_ENDPOINT_URL=http://127.0.0.1:4599 AWS_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=emulator AWS_SECRET_ACCESS_KEY=emulator
  --port        TCP port on 127.0.0.1 (default 4599; 0 picks a free one)
  --time-scale  multiplies every service-side duration (0.01: a 10-minute bake takes 6 s)
  --state-file  keep state in this JSON file so separate runs share it
Admin API: GET /_emulator/calls, POST /_emulator/faults, GET /_emulator/state, POST /_emulator/reset.
`;
async function emulatorCommand(args) {
    const options = {};
    for (let i = 0; i < args.length; i++) {
        const [flag, inline] = args[i].split(/=(.*)/s, 2);
        if (flag === '--help' || flag === '-h') {
            process.stdout.write(USAGE);
            return 0;
        }
        if (!['--port', '--time-scale', '--state-file'].includes(flag)) {
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
    const emulator = new Emulator({ timeScale, stateFile: options['state-file'], services: ALL_SERVICES });
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
