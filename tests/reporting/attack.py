"""The attack on the published statistics: solve the linear relations between every figure a reader
can download and find the counts from 1 to 3 that they pin down (docs/domain.md#disclosure-control).

The attacker knows the method (random rounding to base 3 that now and then reaches one step further,
so a published r means a true value within r ± 5, at least 1 unless r is 0:
`disclosure.possible_values`) and the structure of the reports, and uses every relation that holds by
definition:

- a total is the sum of women, men and other or not stated;
- a table's total row is the sum of its rows (exits by reason, income, age, ...);
- the report for all municipalities is the sum of the six municipalities' reports, figure by figure,
  the municipality's grouped categories against the detailed ones;
- a year counts no one who is in neither half-year, and everyone the second half-year counts by
  their latest event; the referrals received in a year are those of its two halves;
- within a report: in aftercare, active at the end and exited are among the active in the period;
  the answers in the survey's top steps are among the answers.

Shares are worked out from the published counts and medians are shown by the published size of
their group, so they tell the attacker nothing the counts do not. `Attack.share` models a share of
the true counts, to show what such a share would give away.

A count is *recovered* when its true value is 1 to 3 and the integer program's minimum and maximum
of it are equal. The truth is one feasible point; random objectives give more, so most counts are
shown to vary without solving for them one by one.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_array

from reporting import disclosure, exports
from reporting.report import EXIT_GROUPS, INCOME_GROUPS, NOT_RECORDED, OCCUPATION_GROUPS, Report

COLUMNS = ("woman", "man", "other", "total")
GENDER_COLUMNS = COLUMNS[:3]
# The detailed categories of the report for all municipalities, and the groups a municipality's shows.
GROUPED = [
    ("exited:reason", "exited:group", EXIT_GROUPS),
    ("started:income", "started:income:group", INCOME_GROUPS),
    ("active_end:income", "active_end:income:group", INCOME_GROUPS),
    ("exited:income", "exited:income:group", INCOME_GROUPS),
    ("exited:occupation", "exited:occupation:group", OCCUPATION_GROUPS),
]
# Figures counting each person by their latest event in the period (docs/domain.md#report-definitions).
BY_LATEST_EVENT = ("decided", "started", "exited", "active_any")
# Figures about the period's last day: the year's are its second half-year's.
AT_THE_END = ("active_end", "aftercare_end", "queued_end")


@dataclass
class Attack:
    """The attacker's integer program over the published figures."""

    index: dict = field(default_factory=dict)
    lower: list = field(default_factory=list)
    upper: list = field(default_factory=list)
    truth: list = field(default_factory=list)
    published: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # (coefficients {var: c}, low, high)

    # Variables

    def count(self, identity: tuple, figure: exports.Figure, truth: int) -> int:
        """The true value behind a published count: within its rounding of the published one; any
        value for one held back or worked out from other figures."""
        if figure.hidden or figure.derived:
            return self.index.get(identity) or self.unknown(identity, truth)
        if identity in self.index and self.published[self.index[identity]] is None:
            var = self.index[identity]
            published = int(figure.number)
            self.lower[var], self.upper[var] = disclosure.possible_values(published)
            self.published[var] = published
            return var
        if identity in self.index:
            var = self.index[identity]
            assert self.published[var] == figure.number, f"{identity} is shown as two different figures"
            assert self.truth[var] == truth
            return var
        published = int(figure.number)
        return self._new(identity, *disclosure.possible_values(published), truth, published)

    def unknown(self, identity: tuple, truth: int) -> int:
        """A true count that is not published itself (the survey's answers in the top steps)."""
        return self._new(identity, 0, 10**6, truth, None)

    def _new(self, identity, lower, upper, truth, published) -> int:
        self.index[identity] = len(self.truth)
        self.lower.append(lower)
        self.upper.append(upper)
        self.truth.append(truth)
        self.published.append(published)
        return self.index[identity]

    # Relations

    def relate(self, coefficients: dict, low: float, high: float) -> None:
        terms = defaultdict(int)
        for var, coefficient in coefficients.items():
            terms[var] += coefficient
        self.rows.append((dict(terms), low, high))

    @staticmethod
    def _difference(left: list[int], right: list[int]) -> dict:
        """The coefficients of sum(left) - sum(right)."""
        coefficients = defaultdict(int)
        for var in left:
            coefficients[var] += 1
        for var in right:
            coefficients[var] -= 1
        return coefficients

    def equal(self, left: list[int], right: list[int]) -> None:
        self.relate(self._difference(left, right), 0, 0)

    def at_most(self, left: list[int], right: list[int]) -> None:
        """sum(left) <= sum(right)."""
        self.relate(self._difference(left, right), -np.inf, 0)

    def share(self, part: list[int], whole: int, figure: exports.Figure) -> None:
        """What a shown share (rounded half up to 0.1 %), a "–" or "too few" says of its part and whole."""
        if figure.hidden:
            return
        if figure.number is None:  # no one in the group
            self.relate({whole: 1}, 0, 0)
            return
        thousandths = int(Decimal(figure.number) * 1000)
        # part / whole in [s - 0.0005, s + 0.0005): 2000 part >= (2s - 1) whole, 2000 part <= (2s + 1) whole - 1
        low = {var: 2000 for var in part}
        low[whole] = low.get(whole, 0) - (2 * thousandths - 1)
        self.relate(low, 0, np.inf)
        high = {var: 2000 for var in part}
        high[whole] = high.get(whole, 0) - (2 * thousandths + 1)
        self.relate(high, -np.inf, -1)
        self.relate({whole: 1}, disclosure.share_min_group(), np.inf)
        small = disclosure.protected_max() + 1
        if thousandths > 0:
            self.relate(dict.fromkeys(part, 1), small, np.inf)
        if thousandths < 1000:
            rest = {var: -1 for var in part}
            rest[whole] = rest.get(whole, 0) + 1
            self.relate(rest, small, np.inf)

    # Solving

    def check_truth_is_feasible(self) -> None:
        truth = self.truth
        for var in range(len(truth)):
            assert self.lower[var] <= truth[var] <= self.upper[var], f"{self._name(var)} outside its rounding"
        for coefficients, low, high in self.rows:
            value = sum(c * truth[var] for var, c in coefficients.items())
            assert low <= value <= high, f"a relation that does not hold: {[self._name(v) for v in coefficients]}"

    def _name(self, var: int):
        return next(identity for identity, index in self.index.items() if index == var)

    def _components(self) -> list[tuple[list[int], list[int]]]:
        """The independent parts of the program: (variables, relations) with no relation between parts."""
        parent = list(range(len(self.truth)))

        def root(var: int) -> int:
            while parent[var] != var:
                parent[var] = parent[parent[var]]
                var = parent[var]
            return var

        for coefficients, _low, _high in self.rows:
            first, *others = coefficients
            for var in others:
                parent[root(var)] = root(first)
        variables, relations = defaultdict(list), defaultdict(list)
        for var in range(len(self.truth)):
            variables[root(var)].append(var)
        for number, (coefficients, _low, _high) in enumerate(self.rows):
            relations[root(next(iter(coefficients)))].append(number)
        return [(variables[key], relations[key]) for key in variables]

    def _program(self, variables: list[int], relations: list[int]):
        local = {var: index for index, var in enumerate(variables)}
        matrix = lil_array((max(len(relations), 1), len(variables)))
        lows, highs = [], []
        for row, number in enumerate(relations):
            coefficients, low, high = self.rows[number]
            for var, coefficient in coefficients.items():
                matrix[row, local[var]] = coefficient
            lows.append(low)
            highs.append(high)
        constraints = LinearConstraint(matrix.tocsr(), lows, highs) if relations else None
        bounds = Bounds([self.lower[var] for var in variables], [self.upper[var] for var in variables])
        return local, constraints, bounds

    @staticmethod
    def _solve(program, objective) -> np.ndarray:
        _local, constraints, bounds = program
        result = milp(objective, constraints=constraints, bounds=bounds, integrality=np.ones(len(objective)))
        assert result.success, result.message
        return np.rint(result.x).astype(int)

    def _range(self, program, var: int) -> tuple[int, int]:
        local = program[0]
        objective = np.zeros(len(local))
        objective[local[var]] = 1
        lowest = self._solve(program, objective)[local[var]]
        objective[local[var]] = -1
        return int(lowest), int(self._solve(program, objective)[local[var]])

    def range_of(self, identity: tuple) -> tuple[int, int]:
        """The least and the greatest true value the relations allow for the count."""
        var = self.index[identity]
        variables, relations = next(part for part in self._components() if var in part[0])
        return self._range(self._program(variables, relations), var)

    def _look(self, program, objective: np.ndarray, seen: dict[int, set[int]]) -> None:
        """Solve for `objective` and add each watched count's value in the solution to what is seen."""
        point, local = self._solve(program, objective), program[0]
        for var, values in seen.items():
            values.add(int(point[local[var]]))

    def recovered(self, *, samples: int = 3, seed: int = 1) -> list[tuple]:
        """The identities of the counts from 1 to 3 the relations pin to their true value."""
        names = {var: identity for identity, var in self.index.items()}
        rng = random.Random(seed)
        pinned = []
        for variables, relations in self._components():
            small = [var for var in variables if 1 <= self.truth[var] <= disclosure.protected_max()]
            if not small:
                continue
            program = self._program(variables, relations)
            local = program[0]
            seen = {var: {self.truth[var]} for var in small}
            # Random objectives find solutions far apart, each showing every count one value it may
            # take; a count seen at two values is not pinned and needs no solve of its own.
            for _ in range(samples):
                self._look(program, np.array([rng.uniform(-1, 1) for _ in variables]), seen)
            # The rest are pinned when their least and their greatest value are the same; the
            # solution each of those solves finds may show other counts a second value too.
            for var in small:
                objective = np.zeros(len(variables))
                for direction in (1, -1):
                    if len(seen[var]) > 1:
                        break
                    objective[local[var]] = direction
                    self._look(program, objective, seen)
                if len(seen[var]) == 1:
                    pinned.append(names[var])
        return sorted(pinned)

    @property
    def small_counts(self) -> int:
        """The counts from 1 to 3 the attack tries: published ones, and held back ones it may solve."""
        return sum(1 for value in self.truth if 1 <= value <= disclosure.protected_max())

    @property
    def published_small_counts(self) -> int:
        return sum(
            1
            for value, published in zip(self.truth, self.published, strict=True)
            if published is not None and 1 <= value <= disclosure.protected_max()
        )


def _when(report: Report, figure: str) -> str:
    return report.period.end.isoformat() if figure.split(":")[0] in AT_THE_END else report.period.code


def build_attack(reports: dict[tuple[str, str], tuple[Report, exports.ShownReport]]) -> Attack:
    """The program over every report in `reports`, keyed by (period code, scope code)."""
    attack = Attack()
    figures = {}  # (period, scope) -> {figure key: [vars by column]}
    for (period, scope), (report, shown) in reports.items():
        figures[(period, scope)] = _add_report(attack, report, shown)
    periods = {period for period, _scope in reports}
    for period in periods:
        _relate_scopes(attack, figures, period, sorted(scope for p, scope in reports if p == period))
    for scope in {scope for _period, scope in reports}:
        for year in {period for period in periods if len(period) == 4}:
            if all((code, scope) in figures for code in (year, f"{year}H1", f"{year}H2")):
                _relate_halves(attack, figures, year, scope)
    return attack


def _add_report(attack: Attack, report: Report, shown: exports.ShownReport) -> dict:
    scope = report.scope
    by_key = {}

    def add(figure: str, counts: dict, published: list[exports.Figure]) -> list[int]:
        values = [*counts.values(), sum(counts.values())]
        variables = [
            attack.count((_when(report, figure), scope, figure, column), number, value)
            for column, number, value in zip(COLUMNS, published, values, strict=True)
        ]
        by_key[figure] = variables
        return variables

    for table, shown_table in zip(report.tables, shown.tables, strict=True):
        rows = [
            add(row.key, row.counts, shown_row.figures)
            for row, shown_row in zip(table.rows, shown_table.rows, strict=True)
        ]
        for variables in rows:
            attack.equal([variables[3]], variables[:3])
        if table.rows[-1].is_total and not any(row.is_total for row in table.rows[:-1]):
            for column in range(4):
                attack.equal([rows[-1][column]], [variables[column] for variables in rows[:-1]])
    for row, shown_row in zip(report.caseload, shown.caseload, strict=True):
        attack.count(
            (report.period.end.isoformat(), row["code"], "active_end", "total"), shown_row.active, row["active"]
        )
    _within_report(attack, by_key)
    if report.survey:
        _survey(attack, report, shown, add)
    return by_key


def _within_report(attack: Attack, by_key: dict) -> None:
    for part, whole in [("aftercare_end", "active_end"), ("active_end", "active_any"), ("exited", "active_any")]:
        for column in range(4):
            attack.at_most([by_key[part][column]], [by_key[whole][column]])


def _survey(attack: Attack, report: Report, shown: exports.ShownReport, add) -> None:
    forms = add("survey:forms", {g: report.survey.responses[g] for g in GENDER_COLUMNS}, shown.survey_responses)
    attack.equal([forms[3]], forms[:3])
    for question, row in zip(report.survey.questions, shown.survey, strict=True):
        answered = add(
            f"survey:{question.field}:answered", {g: question.answered[g] for g in GENDER_COLUMNS}, row.answered
        )
        attack.equal([answered[3]], answered[:3])
        top = add(f"survey:{question.field}:top", {g: question.top[g] for g in GENDER_COLUMNS}, row.top)
        attack.equal([top[3]], top[:3])
        for column in range(4):
            attack.at_most([top[column]], [answered[column]])


def _relate_scopes(attack: Attack, figures: dict, period: str, scopes: list[str]) -> None:
    if "all" not in scopes:
        return
    municipalities = [scope for scope in scopes if scope != "all"]
    if not municipalities:
        return
    everyone = figures[(period, "all")]
    for key, variables in everyone.items():
        if key.startswith("survey:") or not all(key in figures[(period, m)] for m in municipalities):
            continue
        for column in range(4):
            attack.equal([variables[column]], [figures[(period, m)][key][column] for m in municipalities])
    for detailed, grouped, groups in GROUPED:
        names = [*((name, [f"{detailed}:{value}" for value in values]) for name, (_label, values) in groups.items())]
        names.append((NOT_RECORDED, [f"{detailed}:{NOT_RECORDED}"]))
        for name, parts in names:
            for column in range(4):
                attack.equal(
                    [figures[(period, m)][f"{grouped}:{name}"][column] for m in municipalities],
                    [everyone[part][column] for part in parts],
                )


def _relate_halves(attack: Attack, figures: dict, year: str, scope: str) -> None:
    whole, first, second = (figures[(code, scope)] for code in (year, f"{year}H1", f"{year}H2"))
    for key, variables in whole.items():
        family = key.split(":")[0]
        if key not in first or key not in second or family in AT_THE_END:
            continue
        for column in range(4):
            if key == "referrals":
                attack.equal([variables[column]], [first[key][column], second[key][column]])
            elif family in BY_LATEST_EVENT:
                attack.at_most([variables[column]], [first[key][column], second[key][column]])
                attack.at_most([second[key][column]], [variables[column]])
