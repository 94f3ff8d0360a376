import { WebhookVerificationError } from './errors.ts'

// RFC 9110 §5.6.7 IMF-fixdate, case-sensitive: `Sun, 06 Nov 1994 08:49:37 GMT`.
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$/
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
// 1970-01-01 was a Thursday.
const WEEKDAYS = ['Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue', 'Wed']

/**
 * Reads a `date` header as Unix seconds. Only IMF-fixdate, the form every sender must generate,
 * is accepted, and only a real calendar date whose weekday is right: a signed `date` is trusted
 * to be exactly one point in time, so nothing may trail it (UP42 joins signed values without a
 * separator) and no lenient `Date.parse` reading applies. The obsolete RFC 850 and asctime forms
 * are refused. Second 60 (a leap second) is allowed, as the grammar allows it.
 * @throws {WebhookVerificationError} MALFORMED_HEADER (header `date`)
 */
export function parseHttpDate(value: string): number {
  const match = IMF_FIXDATE.exec(value)
  if (match === null) throw malformed()
  const [, weekday, dd, mon, yyyy, hh, mm, ss] = match as unknown as string[]
  const year = Number(yyyy)
  const month = MONTHS.indexOf(mon!) + 1
  const day = Number(dd)
  const [hour, minute, second] = [Number(hh), Number(mm), Number(ss)]
  if (day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) {
    throw malformed()
  }
  const days = daysFromCivil(year, month, day)
  if (WEEKDAYS[((days % 7) + 7) % 7] !== weekday) throw malformed()
  return days * 86400 + hour * 3600 + minute * 60 + second
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
}

function malformed(): WebhookVerificationError {
  return new WebhookVerificationError('date is not an IMF-fixdate (RFC 9110)', {
    code: 'MALFORMED_HEADER',
    header: 'date',
  })
}
