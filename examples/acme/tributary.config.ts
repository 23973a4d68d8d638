import { defineApp } from 'tributary';

/**
 * Acme's customer overview, the seed's Aggregator: `overview` (L1) invokes profile, orders, invoices and
 * shipments (the L2x) in parallel through the Lambda API and merges what they return.
 */
const DEPARTMENTS = ['hr', 'logistics', 'finance'] as const;
/** Demo credentials: each department's API key (HTTP) and access key id (AWS APIs). */
const DEPARTMENT_API_KEYS: Record<(typeof DEPARTMENTS)[number], string> = {
  hr: 'acme-hr-demo-key-0000000001',
  logistics: 'acme-logistics-demo-key-0002',
  finance: 'acme-finance-demo-key-00003',
};
const DEPARTMENT_ACCESS_KEYS: Record<(typeof DEPARTMENTS)[number], string> = {
  hr: 'AKIAACMEHR000000001',
  logistics: 'AKIAACMELOGISTICS01',
  finance: 'AKIAACMEFINANCE0001',
};

export default defineApp({
  name: 'acme',
  region: 'us-east-1',
  limits: { accountConcurrency: 1000 },
  // The HTTP API (API Gateway, payload 2.0). The overview route is the Aggregator with the L1 as router;
  // the direct routes let a client aggregate the L2x itself, with no L1 billed while it waits.
  http: {
    type: 'http',
    // A Lambda authorizer guards the staff route; the customer routes stay open.
    authorizers: {
      staff: { type: 'lambda', function: 'staffOnly', enableSimpleResponses: true, resultTtlSeconds: 300 },
      department: {
        type: 'lambda',
        function: 'departmentKey',
        enableSimpleResponses: true,
        identitySource: ['$request.header.x-api-key'],
        resultTtlSeconds: 300,
      },
    },
    routes: {
      'GET /staff/customers/{id}/overview': { function: 'overview', auth: { authorizer: 'staff' } },
      // Department events go straight into the lake's delivery stream: no function in between.
      'POST /departments/events': { stream: 'departments' },
      // SQL over the lake, as the calling department: its own table only.
      'POST /query': { function: 'query', auth: { authorizer: 'department' } },
      'GET /customers/{id}/overview': 'overview',
      // The asynchronous Aggregator for write-only work: 202 once every L2's event is accepted.
      'POST /orders': 'placeOrder',
      'GET /customers/{id}/profile': 'profile',
      'GET /customers/{id}/orders': 'orders',
      'GET /customers/{id}/invoices': 'invoices',
      'GET /customers/{id}/shipments': 'shipments',
    },
  },
  // DynamoDB tables, created when `dev` starts. Every change to an order is on the table's stream.
  tables: {
    orders: {
      partitionKey: { name: 'customerId', type: 'S' },
      sortKey: { name: 'orderId', type: 'S' },
      stream: 'NEW_AND_OLD_IMAGES',
    },
    // Powertools' idempotency records: an aggregated request with an Idempotency-Key is done once (1 h TTL).
    idempotency: { partitionKey: { name: 'id', type: 'S' }, ttl: 'expiration' },
  },
  // The Data Lake: hr, logistics and finance push events; one stream partitions them by department and day and
  // writes Parquet with the table's types, so each department's data sits under its own prefix.
  lake: {
    buckets: ['acme-lake'],
    tables: {
      department_events: {
        bucket: 'acme-lake',
        prefix: 'departments/',
        columns: { type: 'string', subject: 'string', amount: 'double', at: 'timestamp' },
        partitionKeys: { dept: 'string', dt: 'date' },
      },
      // One table per department over its own prefix: the seed's access-separation design.
      ...Object.fromEntries(
        DEPARTMENTS.map((dept) => [
          `${dept}_events`,
          {
            database: dept,
            bucket: 'acme-lake',
            prefix: `departments/dept=${dept}/`,
            columns: { type: 'string', subject: 'string', amount: 'double', at: 'timestamp' },
            partitionKeys: { dt: 'date' },
          },
        ]),
      ),
      // Every change to the orders table, written by `ordersToLake` from the table's stream.
      order_changes: {
        bucket: 'acme-lake',
        prefix: 'orders/',
        format: 'json',
        columns: {
          change: 'string',
          customer_id: 'string',
          order_id: 'string',
          status: 'string',
          items: 'int',
          at: 'timestamp',
        },
        partitionKeys: { dt: 'date' },
      },
    },
    streams: {
      order_changes: {
        bucket: 'acme-lake',
        prefix: 'orders/dt=!{timestamp:yyyy-MM-dd}/',
        errorOutputPrefix: 'errors/orders/!{firehose:error-output-type}/',
        buffering: { sizeInMBs: 1, intervalInSeconds: 5 },
      },
      departments: {
        bucket: 'acme-lake',
        format: 'parquet',
        table: 'department_events',
        prefix: 'departments/dept=!{partitionKeyFromQuery:dept}/dt=!{timestamp:yyyy-MM-dd}/',
        errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
        dynamicPartitioning: { keys: { dept: '.dept' } },
        buffering: { sizeInMBs: 64, intervalInSeconds: 60 },
      },
    },
  },
  // Who may read and write what: each department its own table and prefix — by access key on the AWS APIs (Athena,
  // S3), by API key on the HTTP API (/query, /departments/events).
  access: {
    principals: Object.fromEntries(
      DEPARTMENTS.map((dept) => [
        dept,
        {
          accessKeyIds: [DEPARTMENT_ACCESS_KEYS[dept]],
          apiKeys: [DEPARTMENT_API_KEYS[dept]],
          tables: [`${dept}.${dept}_events`],
          read: [`acme-lake/departments/dept=${dept}/`],
          write: [`acme-lake/departments/dept=${dept}/`],
        },
      ]),
    ),
  },
  // The WebSocket API: `{"action":"overview","customerId":"c-42"}` streams the aggregation back, branch by branch.
  websocket: {
    routes: { overview: 'live' },
  },
  functions: {
    placeOrder: {
      handler: 'functions/placeOrder.handler',
      description: 'POST /orders: L1 that hands the order to the L2s asynchronously and answers 202',
      timeout: 5,
    },
    recordOrder: {
      handler: 'functions/recordOrder.handler',
      description: 'POST /orders L2: writes the order into the orders table (a retry is a no-op)',
      timeout: 5,
    },
    ordersToLake: {
      handler: 'functions/ordersToLake.handler',
      description: "The orders table's stream -> the lake's order_changes delivery stream",
      timeout: 30,
      events: [
        {
          stream: 'orders',
          startingPosition: 'TRIM_HORIZON',
          batchSize: 100,
          maximumBatchingWindowInSeconds: 1,
          bisectBatchOnFunctionError: true,
          maximumRetryAttempts: 5,
          functionResponseTypes: ['ReportBatchItemFailures'],
          onFailure: { bucket: 'acme-lake', prefix: 'errors/order-stream/' },
        },
      ],
    },
    reserveStock: { handler: 'functions/orderStep.handler', timeout: 5, environment: { STEP: 'reserveStock' } },
    notifyShipping: { handler: 'functions/orderStep.handler', timeout: 5, environment: { STEP: 'notifyShipping' } },
    query: {
      handler: 'functions/query.handler',
      description: 'POST /query: runs SQL through the Athena API as the calling department',
      timeout: 30,
      environment: { DEPARTMENT_ACCESS_KEYS: JSON.stringify(DEPARTMENT_ACCESS_KEYS) },
    },
    departmentKey: {
      handler: 'functions/departmentKey.handler',
      description: 'Lambda authorizer: the x-api-key header names a department',
      timeout: 3,
      environment: {
        DEPARTMENT_KEYS: JSON.stringify(Object.fromEntries(DEPARTMENTS.map((d) => [DEPARTMENT_API_KEYS[d], d]))),
      },
    },
    live: {
      handler: 'functions/live.handler',
      description: 'WebSocket route: runs the aggregation and pushes each branch to the client as it arrives',
      timeout: 30,
      environment: { BRANCH_FUNCTIONS: 'profile,orders,invoices,shipments' },
    },
    staffOnly: {
      handler: 'functions/staffOnly.handler',
      description: 'Lambda authorizer (simple responses) for the /staff routes',
      timeout: 3,
    },
    overview: {
      handler: 'functions/overview.handler',
      description: 'L1: fans out to the four L2x in parallel and merges their answers',
      memorySize: 256,
      timeout: 10,
      environment: { BRANCH_FUNCTIONS: 'profile,orders,invoices,shipments', AUDIT_FUNCTION: 'audit' },
    },
    audit: {
      handler: 'functions/audit.handler',
      description: 'Write-only: invoked asynchronously (202 at once); stores an audit record in S3',
      timeout: 5,
      async: {
        maximumRetryAttempts: 2,
        // Each success leaves Lambda's invocation record in a bucket; exhausted retries land in a queue.
        onSuccess: { bucket: 'acme-audit', prefix: 'invocations/' },
        onFailure: { queue: 'audit-dlq' },
      },
    },
    profile: { handler: 'functions/profile.handler', timeout: 5 },
    orders: { handler: 'functions/orders.handler', timeout: 5 },
    invoices: { handler: 'functions/invoices.handler', timeout: 5 },
    shipments: {
      handler: 'functions/shipments.handler',
      timeout: 5,
      // A guarantee and a cap: at most 50 shipment lookups at once, whatever else runs.
      reservedConcurrency: 50,
    },
  },
});
