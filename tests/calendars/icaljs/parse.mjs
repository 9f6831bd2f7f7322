// Reads an iCalendar feed with Mozilla's ical.js (the parser of Thunderbird's calendar) and
// prints what a client sees in it as JSON, for tests/calendars/test_icaljs.py.
//
//   node parse.mjs feed.ics      or      node parse.mjs < feed.ics
//
// Exits 1 with a message on stderr when ical.js cannot parse the feed.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function fail(message) {
  process.stderr.write(`parse.mjs: ${message}\n`);
  process.exit(1);
}

// A DATE or DATE-TIME (ICAL.Time) as { value: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS", isDate }.
function time(value) {
  return value ? { value: value.toString(), isDate: value.isDate } : null;
}

function text(value) {
  return value === null || value === undefined ? null : String(value);
}

let source;
try {
  source = readFileSync(process.argv[2] ?? 0, "utf8");
} catch (error) {
  fail(`cannot read ${process.argv[2] ?? "stdin"}: ${error.message}`);
}

let calendar;
try {
  const jcal = ICAL.parse(source);
  if (Array.isArray(jcal[0])) {
    fail(`expected one VCALENDAR, found ${jcal.length} components`);
  }
  calendar = new ICAL.Component(jcal);
} catch (error) {
  fail(`ical.js could not parse the feed: ${error.name}: ${error.message}`);
}
if (calendar.name !== "vcalendar") {
  fail(`expected a VCALENDAR, found ${calendar.name.toUpperCase()}`);
}

const refresh = calendar.getFirstProperty("refresh-interval");
const calname = calendar.getFirstProperty("x-wr-calname");
const result = {
  // ical.js has no type for X-WR-CALNAME (nor NAME): it keeps the value as written ("unknown"),
  // TEXT escapes included, so nameType says how to read name.
  name: calname ? text(calname.getFirstValue()) : null,
  nameType: calname ? calname.type : null,
  refreshInterval: refresh ? text(refresh.getFirstValue()) : null,
  properties: calendar.getAllProperties().map((p) => p.name.toUpperCase()),
  events: calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: text(event.uid),
      summary: text(event.summary),
      description: text(event.description),
      url: text(component.getFirstPropertyValue("url")),
      status: text(component.getFirstPropertyValue("status")),
      transp: text(component.getFirstPropertyValue("transp")),
      sequence: event.sequence,
      dtstart: time(event.startDate),
      dtend: time(event.endDate),
      attendees: event.attendees.map((p) => text(p.getFirstValue())),
      properties: component.getAllProperties().map((p) => p.name.toUpperCase()),
      alarms: component.getAllSubcomponents("valarm").map((alarm) => ({
        action: text(alarm.getFirstPropertyValue("action")),
        trigger: text(alarm.getFirstPropertyValue("trigger")),
        description: text(alarm.getFirstPropertyValue("description")),
      })),
    };
  }),
};
process.stdout.write(JSON.stringify(result) + "\n");
