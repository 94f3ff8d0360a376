// The three payloads published in UP42's article (original-system.md §7.2), field order kept,
// as compact JSON. The article abbreviates two logUrls with `...`; they are written out in full,
// as shown in the same article's jq output.

/** Article example payloads, as exact JSON strings, for fixtures and tests. */
export const EXAMPLE_EVENTS = {
  /** `job.status` test event (`liveMode: false`, id in `body.jobId`, status `PENDING`). */
  jobTest:
    '{"event":"job.status","liveMode":false,"messageId":"b6743fe0-9a26-44e9-b7aa-304b740aca55","timestamp":"2022-07-25T14:33:26.37709Z",' +
    '"body":{"jobId":"FB0DA199-01DF-4635-910D-A823AE7DC200","status":"PENDING",' +
    '"tasks":[{"id":"FB0DA199-01DF-4635-910D-A823AE7DC201","status":"NOT_STARTED","startedAt":null,"finishedAt":null},' +
    '{"id":"FB0DA199-01DF-4635-910D-A823AE7DC202","status":"PENDING","startedAt":"2021-12-21T10:14:37Z","finishedAt":null}],' +
    '"startedAt":"2021-12-21T10:14:27Z","finishedAt":null}}',
  /** `job.status` live event (id in `body.id`, status `FAILED`). */
  jobLive:
    '{"event":"job.status","liveMode":true,"messageId":"258270de-58f8-42da-aea6-e7a07d2667f7","timestamp":"2022-07-25T16:02:34Z",' +
    '"body":{"id":"6dbe8956-b8c5-47b3-9f56-b1686628aa19","status":"FAILED","startedAt":"2022-07-25T15:59:00Z","finishedAt":"2022-07-25T16:02:34Z",' +
    '"tasks":[{"id":"f267fda9-818b-49eb-bd5b-c48d9fce160a","status":"SUCCEEDED","startedAt":"2022-07-25T15:59:10Z","finishedAt":"2022-07-25T16:01:09Z","logUrl":"https://api.up42.com/projects/21fe9f6d-99a2-49af-bafb-620a20740e26/jobs/6dbe8956-b8c5-47b3-9f56-b1686628aa19/tasks/f267fda9-818b-49eb-bd5b-c48d9fce160a/logs"},' +
    '{"id":"d23c1a60-960e-4850-91f5-d66a09ee582c","status":"CANCELLED","startedAt":null,"finishedAt":null,"logUrl":"https://api.up42.com/projects/21fe9f6d-99a2-49af-bafb-620a20740e26/jobs/6dbe8956-b8c5-47b3-9f56-b1686628aa19/tasks/d23c1a60-960e-4850-91f5-d66a09ee582c/logs"},' +
    '{"id":"b3a59b77-718f-4243-9d04-e313e286e47b","status":"FAILED","startedAt":"2022-07-25T16:01:20Z","finishedAt":"2022-07-25T16:02:33Z","logUrl":"https://api.up42.com/projects/21fe9f6d-99a2-49af-bafb-620a20740e26/jobs/6dbe8956-b8c5-47b3-9f56-b1686628aa19/tasks/b3a59b77-718f-4243-9d04-e313e286e47b/logs"}]}}',
  /** `order.status` live event (status `FULFILLED`). */
  orderLive:
    '{"event":"order.status","liveMode":true,"messageId":"518e6f77-bb07-41c7-ae04-caaedcfa607e","timestamp":"2022-07-25T16:32:28.994158Z",' +
    '"body":{"orderId":"86296865-9e91-4a16-9a3c-d4eaa584c03e","orderType":"ARCHIVE","dataHostName":"oneatlas","status":"FULFILLED","statusIsFinal":true}}',
} as const
