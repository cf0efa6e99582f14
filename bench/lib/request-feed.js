'use strict';
// Plain CommonJS on purpose: autocannon loads `setupRequest` and `onResponse` by file path inside its worker
// thread, where ts-node is not registered. Used by bench/lib/feed.ts only, as both hooks: autocannon calls
// setupRequest(request, context) and onResponse(status, body, context, headers), told apart by the first
// argument.
//
// setupRequest: every request any connection sends takes the next item of one shared list (the feed file
// written by feed.ts), so requests leave in list order across all connections, each item once.
// onResponse: reports `{ key, status, body }` of each answer to the main thread on a BroadcastChannel.
const { readFileSync } = require('node:fs');
const { BroadcastChannel } = require('node:worker_threads');

const MAX_REPORTED_BODY = 500;
const feeds = new Map();

function feedOf(request) {
  let feed = feeds.get(request.feedFile);
  if (!feed) {
    const channel = new BroadcastChannel(request.feedChannel);
    // Must not keep the worker alive once autocannon is done with it.
    channel.unref();
    feed = { items: JSON.parse(readFileSync(request.feedFile, 'utf8')), next: 0, channel };
    feeds.set(request.feedFile, feed);
  }
  return feed;
}

function setupRequest(request, context) {
  const feed = feedOf(request);
  // Past the end (only when a request was lost to a timeout or a dropped connection, which the run reports as
  // a failure) the list starts over: a repeat is at worst a duplicate, never a made-up request.
  const item = feed.items[feed.next % feed.items.length];
  feed.next += 1;
  // The context belongs to one connection, and a connection has one request in flight (no pipelining).
  context.feed = feed;
  context.key = item.key;
  return { ...request, headers: { ...request.headers, ...item.headers }, body: item.body };
}

function onResponse(status, body, context) {
  if (!context.feed) return;
  context.feed.channel.postMessage({ key: context.key, status, body: body.length > MAX_REPORTED_BODY ? body.slice(0, MAX_REPORTED_BODY) : body });
}

module.exports = function requestFeedHook(first, second, third) {
  return typeof first === 'number' ? onResponse(first, second, third) : setupRequest(first, second);
};
