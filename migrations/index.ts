import { Foundation1764000000000 } from './1764000000000-Foundation';
import { Catalog1764000001000 } from './1764000001000-Catalog';
import { Gateways1764000002000 } from './1764000002000-Gateways';
import { Charges1764000003000 } from './1764000003000-Charges';
import { Webhooks1764000004000 } from './1764000004000-Webhooks';
import { OutboundDeliveries1764000005000 } from './1764000005000-OutboundDeliveries';
import { Reminders1764000006000 } from './1764000006000-Reminders';
import { RefundsAndRetries1764000007000 } from './1764000007000-RefundsAndRetries';

/** Every migration in order; listed explicitly so that ts-jest and the compiled build load the same set. */
export const MIGRATIONS = [Foundation1764000000000, Catalog1764000001000, Gateways1764000002000, Charges1764000003000, Webhooks1764000004000, OutboundDeliveries1764000005000, Reminders1764000006000, RefundsAndRetries1764000007000];
