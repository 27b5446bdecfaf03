#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the runs measure.sh printed into results.md and results.svg.

usage: report.py RAW.CSV OUTDIR [DATE]

RAW.CSV holds the guest's "info,KEY,VALUE" lines, one line per run:
WORKLOAD,TOOL,OP,DEST,RUN,USECS,BYTES,FROZEN_US,TOUCHED (RUN 0: the
warm-up, left out), and for our runs that moved pages, where the kernel
says their time went: pages,WORKLOAD,OP,DEST,RUN,PAGES,FIND_US,COPY_US,
SUM_US,BESIDE_US (the checksum's time in line, and on another CPU).  Every time is the median of the runs, with their
number; ratios are of medians.  Python's standard library only.
"""
import csv
import datetime
import math
import statistics
import sys
from collections import defaultdict

CKPT = {'ours': 'ckpt', 'criu': 'dump', 'dd': 'write'}
RSTR = {'ours': 'rstr', 'criu': 'restore', 'dd': 'read'}
GIB = 1 << 30


def load(path):
    info, runs, order, touched = {}, defaultdict(list), [], {}
    pages = defaultdict(list)
    with open(path, newline='') as f:
        for row in csv.reader(f):
            if not row:
                continue
            if row[0] == 'info':
                info[row[1]] = ','.join(row[2:])
                continue
            if row[0] == 'pages':
                if int(row[4]) > 0:
                    pages[tuple(row[1:4])].append(
                        tuple(int(v) for v in row[5:10]))
                continue
            wl, tool, op, dest, run, us, size, frozen, tch = row
            if wl not in order:
                order.append(wl)
            touched[wl] = int(tch)
            if int(run) > 0:
                runs[wl, tool, op, dest].append(
                    (int(us), int(size), int(frozen)))
    return info, runs, order, touched, pages


class Stats:
    """Medians of one workload, tool, operation and destination."""

    def __init__(self, runs):
        self.n = len(runs)
        self.us = statistics.median(r[0] for r in runs)
        self.size = statistics.median(r[1] for r in runs)
        fz = [r[2] for r in runs if r[2] >= 0]
        self.frozen = statistics.median(fz) if fz else None


def ms(us):
    """A time in microseconds, in ms or s."""
    if us is None:
        return 'n/a'
    return '%.3g s' % (us / 1e6) if us >= 1e6 else '%.3g ms' % (us / 1e3)


def size(b):
    for unit, div in (('GiB', GIB), ('MiB', 1 << 20), ('KiB', 1 << 10)):
        if b >= div:
            return '%.4g %s' % (b / div, unit)
    return '%d B' % b


def ratio(a, b):
    return '%.3g' % (a / b) if a is not None and b else 'n/a'


class Report:
    def __init__(self, path):
        self.info, runs, order, self.touched, self.pages = load(path)
        self.order = [wl for wl in order if wl != 'start']
        self.st = {k: Stats(v) for k, v in runs.items() if v}

    def get(self, wl, tool, op, dest):
        return self.st.get((wl, tool, op, dest))

    def us(self, *key):
        s = self.get(*key)
        return s.us if s else None

    def cell(self, *key):
        s = self.get(*key)
        return '%s (%d)' % (ms(s.us), s.n) if s else 'n/a'

    def table(self, ops, title, extra):
        head = ['workload', 'to', 'ours', 'criu', 'ours/criu', 'dd',
                'ours/dd'] + [e[0] for e in extra]
        out = ['### ' + title, '', '| ' + ' | '.join(head) + ' |',
               '|' + '---|' * len(head)]
        for wl in self.order:
            for dest in ('tmpfs', 'pipe'):
                key = [(wl, t, ops[t], dest) for t in ('ours', 'criu', 'dd')]
                ours, criu, dd = (self.us(*k) for k in key)
                row = [wl, dest] + [self.cell(*k) for k in key[:2]]
                row += [ratio(ours, criu), self.cell(*key[2]),
                        ratio(ours, dd)]
                row += [f(self, wl, dest) for _, f in extra]
                out.append('| ' + ' | '.join(row) + ' |')
        return out + ['']

    def page_time(self):
        """Medians of where the kernel spent our page path's time."""
        out = ['### Where the time for pages goes (ours)', '',
               'As `ckpt -v` and `rstr -v` report it: finding the pages '
               '(checkpoint: page tables, `get_user_pages`) or faulting '
               'them in (restart: a new zeroed page each), copying them '
               'to or from the image, and the image\'s xxh64 over them: '
               'the time the operation spent on it (hashing in line, '
               'waiting for the hasher) and the time a work item spent '
               'on it beside the operation, on another CPU. '
               'Medians; per page in parentheses.', '',
               '| workload | op | to | pages | finding / faulting in | '
               'copying | checksum in line | checksum beside |',
               '|---|---|---|---|---|---|---|---|']
        for wl in self.order:
            for op in ('ckpt', 'rstr'):
                for dest in ('tmpfs', 'pipe'):
                    v = self.pages.get((wl, op, dest))
                    if not v or not statistics.median(r[0] for r in v):
                        continue
                    med = [statistics.median(r[i] for r in v)
                           for i in range(5)]
                    row = [wl, op, dest, '%d' % med[0]]
                    row += ['%s (%.3g us)' % (ms(us), us / med[0])
                            for us in med[1:]]
                    out.append('| ' + ' | '.join(row) + ' |')
        return out + ['']

    def frozen(self, wl, dest, tool):
        s = self.get(wl, tool, CKPT[tool], dest)
        return ms(s.frozen) if s and s.frozen is not None else 'n/a'

    def image(self, wl, dest, tool):
        s = self.get(wl, tool, CKPT[tool], dest)
        return size(s.size) if s else 'n/a'

    def frozen_note(self, wl, dest):
        o = self.get(wl, 'ours', 'ckpt', dest)
        c = self.get(wl, 'criu', 'dump', dest)
        note = 'frozen: ours %s' % (ms(o.frozen) if o else 'n/a')
        if c and c.frozen is not None:
            note += ', criu %s' % ms(c.frozen)
        return note

    def new_memory_note(self, wl, dest):
        n = self.us(wl, 'dd', 'readnew', dest)
        if n is None:
            return ''
        return 'dd reading it into new memory (one block): %s, ours %sx ' \
            'that' % (ms(n), ratio(self.us(wl, 'ours', 'rstr', dest), n))

    def start_note(self):
        return 'starting the program alone: ckpt %s, criu %s, dd %s' % tuple(
            ms(self.us('start', t, 'start', '-'))
            for t in ('ours', 'criu', 'dd'))

    def targets(self):
        """(target, needed, measured, met, note) for each target."""
        rows = []

        def add(what, need, value, text, ok, note=''):
            if value is None:
                rows.append((what, need, 'not measured in this run', '-',
                             ''))
            else:
                rows.append((what, need, text, 'met' if ok else 'MISSED',
                             note))

        for what, op_ours, op_criu, need, note in (
                ('checkpoint of the idle process vs criu dump', 'ckpt',
                 'dump', 30, self.frozen_note('idle', 'tmpfs')),
                ('restart of the idle process vs criu restore', 'rstr',
                 'restore', 10, '')):
            o = self.us('idle', 'ours', op_ours, 'tmpfs')
            c = self.us('idle', 'criu', op_criu, 'tmpfs')
            v = c / o if o and c else None
            add(what, '>= %dx faster' % need, v,
                '%.3gx faster' % v if v else '', v and v >= need,
                '; '.join(n for n in (note, self.start_note()) if n))
        for dest in ('tmpfs', 'pipe'):
            for what, op, dd_op in (('checkpoint of 1 GiB vs dd write',
                                     'ckpt', 'write'),
                                    ('restart of 1 GiB vs dd read', 'rstr',
                                     'read')):
                o = self.us('mem1g', 'ours', op, dest)
                d = self.us('mem1g', 'dd', dd_op, dest)
                v = o / d if o and d else None
                add('%s (%s)' % (what, dest), '<= 1.2x', v,
                    '%.3gx' % v if v else '', v and v <= 1.2,
                    self.frozen_note('mem1g', dest) if op == 'ckpt' else
                    self.new_memory_note('mem1g', dest))
        for wl in ('mem1g', 'mem64', 'sparse8g'):
            s = self.get(wl, 'ours', 'ckpt', 'tmpfs')
            v = s.size / self.touched[wl] - 1 if s else None
            add('image size over touched memory (%s)' % wl, '<= 1%', v,
                '+%.3g%%' % (100 * v) if s else '',
                v is not None and v <= 0.01,
                '%s for %s' % (size(s.size), size(self.touched[wl]))
                if s else '')
        return rows

    def markdown(self, date):
        i = self.info
        out = ['# Benchmarks: checkpoint/restart vs CRIU vs dd', '',
               '%s, kernel %s, criu %s, QEMU TCG guest with %s CPUs and '
               '%s; mode %s; module %s, tree %s.' % (
                   date, i.get('kernel', '?'), i.get('criu', '?'),
                   i.get('cpus', '?'), i.get('memory', '?'),
                   i.get('mode', '?'), i.get('module', '?'),
                   i.get('tree', '?')),
               '',
               'Times are medians of the runs (their number in '
               'parentheses), after a warm-up run; ratios are of medians. '
               '"to": the image goes to a tmpfs file, or through a pipe to '
               '`cat > /dev/null` (restart: `dd if=FILE bs=1M | rstr`); criu has '
               'no stream mode in Debian (no criu-image-streamer), so its '
               'pipe cells are n/a.  dd writes the same number of bytes '
               'as our image to the same destination in 1 MiB blocks, '
               'and reads our image back.  Frozen: how long the target was '
               'stopped, as each tool reports it (`ckpt -v`; criu '
               '`--display-stats` "Frozen time").', '']
        out += self.table(CKPT, 'Checkpoint', [
            ('frozen ours', lambda s, w, d: s.frozen(w, d, 'ours')),
            ('frozen criu', lambda s, w, d: s.frozen(w, d, 'criu')),
            ('image ours', lambda s, w, d: s.image(w, d, 'ours')),
            ('image criu', lambda s, w, d: s.image(w, d, 'criu')),
            ('touched', lambda s, w, d: size(s.touched[w]))])
        out += self.table(RSTR, 'Restart', [
            ('dd into new memory', lambda s, w, d: s.cell(w, 'dd', 'readnew',
                                                          d)),
            ('ours/that', lambda s, w, d: ratio(
                s.us(w, 'ours', 'rstr', d), s.us(w, 'dd', 'readnew', d)))])
        if self.pages:
            out += self.page_time()
        out += ['### Starting a program with nothing to do', '',
                'The floor under the small workloads\' times: `ckpt '
                '--help` (rstr is alike: static), `criu --version`, `dd '
                'count=0`.', '', '| ckpt | criu | dd |', '|---|---|---|',
                '| %s | %s | %s |' % tuple(self.cell('start', t, 'start', '-')
                                           for t in ('ours', 'criu', 'dd')),
                '']
        out += ['### Targets', '', '| target | needed | measured | | note |',
                '|---|---|---|---|---|']
        out += ['| %s | %s | %s | %s | %s |' % t for t in self.targets()]
        return '\n'.join(out) + '\n'


def svg(rep):
    """Two panels of horizontal bars (log scale): checkpoint and restart,
    tmpfs destination, ours, criu and dd for each workload."""
    colors = {'ours': '#1f77b4', 'criu': '#d62728', 'dd': '#7f7f7f'}
    bar, gap, left, width, top = 9, 10, 90, 330, 50
    vals = [s.us for s in rep.st.values()]
    lo = 10 ** math.floor(math.log10(max(min(vals), 1)))
    hi = max(vals) * 1.5
    log = math.log10

    def x(us):
        return left + width * (log(max(us, lo)) - log(lo)) / \
            (log(hi) - log(lo))

    rows = len(rep.order)
    height = top + rows * (3 * bar + gap) + 40
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="10">' % (2 * (left + width)
                                                         + 60, height),
           '<rect width="100%" height="100%" fill="white"/>']
    for p, (ops, title) in enumerate(((CKPT, 'checkpoint to tmpfs'),
                                      (RSTR, 'restart from tmpfs'))):
        dx = p * (left + width + 40)
        out.append('<text x="%d" y="15" font-size="12" font-weight="bold">'
                   '%s (ms, log scale; label: ours/criu, ours/dd)</text>'
                   % (dx + 10, title))
        dec = lo
        while dec <= hi:
            gx = dx + x(dec)
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" '
                       'stroke="#ddd"/>' % (gx, top - 5, gx, height - 30))
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%g</text>'
                       % (gx, height - 18, dec / 1000))
            dec *= 10
        for r, wl in enumerate(rep.order):
            y = top + r * (3 * bar + gap)
            out.append('<text x="%d" y="%d" text-anchor="end">%s</text>'
                       % (dx + left - 5, y + 2 * bar, wl))
            for k, tool in enumerate(('ours', 'criu', 'dd')):
                us = rep.us(wl, tool, ops[tool], 'tmpfs')
                if us is None:
                    continue
                out.append('<rect x="%d" y="%d" width="%.1f" height="%d" '
                           'fill="%s"/>' % (dx + left, y + k * bar,
                                            x(us) - left, bar - 1,
                                            colors[tool]))
            o = rep.us(wl, 'ours', ops['ours'], 'tmpfs')
            c = rep.us(wl, 'criu', ops['criu'], 'tmpfs')
            d = rep.us(wl, 'dd', ops['dd'], 'tmpfs')
            if o is not None:
                out.append('<text x="%.1f" y="%d">%s, %s</text>'
                           % (dx + x(o) + 3, y + bar - 1, ratio(o, c),
                              ratio(o, d)))
    for k, tool in enumerate(('ours', 'criu', 'dd')):
        out.append('<rect x="%d" y="%d" width="10" height="8" fill="%s"/>'
                   '<text x="%d" y="%d">%s</text>'
                   % (10 + 60 * k, 25, colors[tool], 24 + 60 * k, 33, tool))
    out.append('</svg>')
    return '\n'.join(out) + '\n'


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[2])
    rep = Report(sys.argv[1])
    if not rep.st:
        sys.exit('report: no runs in ' + sys.argv[1])
    date = sys.argv[3] if len(sys.argv) == 4 else \
        datetime.date.today().isoformat()
    with open(sys.argv[2] + '/results.md', 'w') as f:
        f.write(rep.markdown(date))
    with open(sys.argv[2] + '/results.svg', 'w') as f:
        f.write(svg(rep))


if __name__ == '__main__':
    main()
