"""Linking the address book to the invoicing provider's customers: by hand, automatically, or by creating the
missing side (push customers to the provider, import the provider's customers).

Rules every path keeps:
- an invoicing ID is linked to at most one customer of a company (the database says so too);
- a party already linked to a customer is never proposed or linked again;
- a pair a person rejected (or unlinked) is never proposed again;
- pushing and importing are safe to run again: existing parties are found by VAT number first, and each ID is
  stored as soon as the party exists, so a run that stops midway resumes without duplicates.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haulbill.core import audit
from haulbill.core.errors import HaulbillError
from haulbill.core.jobs import create_job
from haulbill.core.models import Job
from haulbill.providers.base import InvoicingProvider, ProviderError, ProviderNotFound, RemoteCustomer
from haulbill.providers.registry import provider_for
from haulbill.tenancy.models import Company

from . import linking, numbers
from .models import Customer, LinkMethod, LinkProposal, ProposalStatus

log = logging.getLogger("haulbill.addressbook")
Progress = Callable[[int, int | None], None]

LINK_JOB = "link-customers"
PUSH_JOB = "push-customers"
IMPORT_JOB = "import-customers"
DEFAULT_ACCEPT_THRESHOLD = 90
_BILLIT_URL_ID = re.compile(r"customer/(\d+)", re.IGNORECASE)


# shared ------------------------------------------------------------------------------------------------------------
def provider_or_error(company: Company) -> InvoicingProvider:
    provider = provider_for(company)
    if provider is None:
        raise HaulbillError(
            "provider_not_connected",
            _("Connect an invoicing platform first (Settings › Extensions › Invoicing)."),
        )
    return provider


def clean_invoicing_id(value: str) -> str:
    """The ID as typed or pasted: "200001", " 200 001 " or Billit's whole address (…/Customer/200001)."""
    text = (value or "").strip()
    found = _BILLIT_URL_ID.search(text)
    if found:
        return found.group(1)
    compact = re.sub(r"[\s.]", "", text)
    if not re.fullmatch(r"\d{1,18}", compact):
        raise HaulbillError(
            "invoicing_id_malformed",
            _(
                "%(value)s is not an invoicing ID: it is the number after Customer/ in Billit's address bar, "
                "e.g. 200001."
            )
            % {"value": text[:40]},
            field="invoicing_id",
        )
    return compact.lstrip("0") or "0"


def linked_ids(company: Company) -> dict[str, int]:
    """invoicing ID -> customer id, for every linked customer of the company."""
    return dict(Customer.objects.for_company(company).exclude(invoicing_id="").values_list("invoicing_id", "id"))


def _provider_error(exc: ProviderError) -> HaulbillError:
    return HaulbillError(exc.code, exc.message, status=502)


def _compact_vat(value: str, country: str = "") -> str:
    try:
        return numbers.normalise_vat(value, country)
    except numbers.NumberError:
        return re.sub(r"[^A-Z0-9]", "", (value or "").upper())


def _resolve_pending(company: Company, *, customer_ids: set[int], remote_ids: set[str]) -> None:
    """Links made: proposals still waiting for those customers or parties are moot."""
    if customer_ids or remote_ids:
        LinkProposal.objects.for_company(company).filter(status=ProposalStatus.PENDING).filter(
            Q(customer_id__in=customer_ids) | Q(remote_id__in=remote_ids)
        ).delete()


# by hand -----------------------------------------------------------------------------------------------------------
@dataclass
class LinkPreview:
    customer: Customer
    remote: RemoteCustomer
    warnings: list[str] = field(default_factory=list)

    @property
    def vat_differs(self) -> bool:
        return _compact_vat(self.customer.vat_number, self.customer.country) != _compact_vat(
            self.remote.vat_number, self.remote.country
        )


def preview_link(company: Company, customer: Customer, invoicing_id: str) -> LinkPreview:
    """What the provider knows under this ID, for the user to confirm; refuses unknown and already-used IDs."""
    if customer.company_id != company.pk:
        raise HaulbillError("not_found", _("No such customer."), status=404)
    remote_id = clean_invoicing_id(invoicing_id)
    other = Customer.objects.for_company(company).filter(invoicing_id=remote_id).exclude(pk=customer.pk).first()
    if other is not None:
        raise HaulbillError(
            "invoicing_id_taken",
            _("Invoicing ID %(id)s is already linked to %(name)s. Unlink it there first.")
            % {"id": remote_id, "name": other.name},
            field="invoicing_id",
        )
    provider = provider_or_error(company)
    try:
        remote = provider.get_customer(remote_id)
    except ProviderNotFound:
        remote = None
    except ProviderError as exc:
        raise _provider_error(exc) from None
    if remote is None:
        raise HaulbillError(
            "invoicing_id_unknown",
            _(
                "Your invoicing platform has no customer %(id)s. Check the number after Customer/ in Billit's "
                "address bar."
            )
            % {"id": remote_id},
            field="invoicing_id",
        )
    preview = LinkPreview(customer, remote)
    if (customer.vat_number or remote.vat_number) and preview.vat_differs:
        preview.warnings.append(
            _(
                "The VAT number differs: %(ours)s here, %(theirs)s in the invoicing platform. Check it is the same "
                "company."
            )
            % {"ours": customer.vat_number or "—", "theirs": remote.vat_number or "—"}
        )
    return preview


def link_customer(company: Company, customer: Customer, invoicing_id: str, *, by: Any = None) -> Customer:
    """Confirmed by the user after `preview_link`; checked again, since the world may have moved meanwhile."""
    preview = preview_link(company, customer, invoicing_id)
    provider = provider_or_error(company)
    try:
        with transaction.atomic():
            locked = Customer.objects.for_company(company).select_for_update().get(pk=customer.pk)
            locked.invoicing_id = preview.remote.remote_id
            locked.invoicing_provider = provider.key
            locked.save(update_fields=["invoicing_id", "invoicing_provider", "updated_at"])
            _resolve_pending(company, customer_ids={locked.pk}, remote_ids={locked.invoicing_id})
    except IntegrityError:
        raise HaulbillError(
            "invoicing_id_taken", _("This invoicing ID was just linked to another customer."), field="invoicing_id"
        ) from None
    log.info("customer %s linked to %s by %s", locked.pk, locked.invoicing_id, getattr(by, "pk", None))
    audit.record(company, by, audit.CUSTOMER_LINKED, locked, invoicing_id=locked.invoicing_id, method="manual")
    return locked


def unlink_customer(company: Company, customer: Customer, *, by: Any = None) -> Customer:
    """Remove the link; the pair is remembered as rejected so automatic linking does not restore it."""
    with transaction.atomic():
        locked = Customer.objects.for_company(company).select_for_update().get(pk=customer.pk)
        if not locked.invoicing_id:
            return locked
        old_id, provider = locked.invoicing_id, locked.invoicing_provider
        locked.invoicing_id = ""
        locked.save(update_fields=["invoicing_id", "updated_at"])
        LinkProposal.objects.update_or_create(
            customer=locked,
            provider=provider,
            remote_id=old_id,
            defaults={
                "company": company,
                "method": LinkMethod.NAME,
                "score": 0,
                "remote_name": "",
                "status": ProposalStatus.REJECTED,
                "decided_at": timezone.now(),
                "decided_by": by if getattr(by, "pk", None) else None,
            },
        )
        audit.record(company, by, audit.CUSTOMER_UNLINKED, locked, invoicing_id=old_id)
    return locked


# automatic -----------------------------------------------------------------------------------------------------------
@dataclass
class LinkRunResult:
    parties: int = 0
    customers: int = 0
    linked: int = 0
    proposed: int = 0
    ambiguous: int = 0
    unmatched: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary()}

    def summary(self) -> str:
        return _(
            "%(linked)d customers linked at once, %(proposed)d proposals to review (%(ambiguous)d ambiguous), "
            "%(unmatched)d without a match, out of %(customers)d unlinked customers and %(parties)d parties."
        ) % asdict(self)


def _party_from_customer(row: Mapping[str, Any]) -> linking.Party:
    return linking.Party(
        str(row["id"]), row["name"], row["vat_number"], row["enterprise_number"], row["postcode"], row["city"],
        row["country"],
    )  # fmt: skip


def _party_from_remote(remote: RemoteCustomer) -> linking.Party:
    return linking.Party(
        remote.remote_id, remote.name, remote.vat_number, remote.enterprise_number, remote.postcode, remote.city,
        remote.country,
    )  # fmt: skip


def link_customers(
    company: Company, progress: Progress | None = None, *, propose_at: int = linking.PROPOSE_AT, user: Any = None
) -> LinkRunResult:
    """Fetch every provider customer, link the unambiguous identifier matches, propose the rest for review."""
    provider = provider_or_error(company)
    try:
        remotes = list(provider.list_customers(progress))
    except ProviderError as exc:
        raise _provider_error(exc) from None
    taken = linked_ids(company)
    pool = {r.remote_id: r for r in remotes if r.remote_id not in taken}
    rows = list(
        Customer.objects.for_company(company)
        .filter(invoicing_id="", is_active=True)
        .values("id", "name", "vat_number", "enterprise_number", "postcode", "city", "country")
    )
    result = LinkRunResult(parties=len(remotes), customers=len(rows))
    matched = linking.match([_party_from_customer(r) for r in rows], [_party_from_remote(r) for r in pool.values()],
                            propose_at=propose_at)  # fmt: skip
    decided = set(
        LinkProposal.objects.for_company(company)
        .exclude(status=ProposalStatus.PENDING)
        .values_list("customer_id", "remote_id")
    )
    links = [c for c in matched.links if (int(c.customer), c.remote) not in decided]
    proposals = [c for c in matched.proposals if (int(c.customer), c.remote) not in decided]
    if progress:
        progress(0, len(links) + len(proposals))

    with transaction.atomic():
        customers = Customer.objects.for_company(company).select_for_update().in_bulk([int(c.customer) for c in links])
        still_taken = set(linked_ids(company))
        to_update = []
        for candidate in links:
            customer = customers.get(int(candidate.customer))
            if customer is None or customer.invoicing_id or candidate.remote in still_taken:
                continue
            customer.invoicing_id = candidate.remote
            customer.invoicing_provider = provider.key
            still_taken.add(candidate.remote)
            to_update.append(customer)
        Customer.objects.bulk_update(to_update, ["invoicing_id", "invoicing_provider"], batch_size=500)
        result.linked = len(to_update)
        linked_now = {c.pk for c in to_update}

        # Pending proposals are recomputed from scratch for the customers of this run.
        LinkProposal.objects.for_company(company).filter(
            status=ProposalStatus.PENDING, customer_id__in=[r["id"] for r in rows]
        ).delete()
        fresh = [
            LinkProposal(
                company=company,
                customer_id=int(c.customer),
                provider=provider.key,
                remote_id=c.remote,
                remote_name=pool[c.remote].name[:200],
                remote_vat_number=pool[c.remote].vat_number[:30],
                remote_postcode=pool[c.remote].postcode[:20],
                remote_city=pool[c.remote].city[:100],
                method=c.method,
                score=c.score,
                ambiguous=c.ambiguous,
            )
            for c in proposals
            if int(c.customer) not in linked_now and c.remote not in still_taken
        ]
        LinkProposal.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
    result.proposed = len(fresh)
    result.ambiguous = sum(1 for p in fresh if p.ambiguous)
    result.unmatched = len(matched.unmatched)
    audit.record(
        company,
        user,
        audit.CUSTOMERS_AUTO_LINKED,
        None,
        linked=result.linked,
        proposed=result.proposed,
        ambiguous=result.ambiguous,
        unmatched=result.unmatched,
        customers=result.customers,
        parties=result.parties,
    )
    if progress:
        progress(len(links) + len(proposals), len(links) + len(proposals))
    return result


# reviewing proposals ---------------------------------------------------------------------------------------------------
def _decide(proposal: LinkProposal, status: str, by: Any) -> None:
    proposal.status = status
    proposal.decided_at = timezone.now()
    proposal.decided_by = by if getattr(by, "pk", None) else None
    proposal.save(update_fields=["status", "decided_at", "decided_by"])


def _accept(company: Company, proposal: LinkProposal, by: Any) -> None:
    customer = Customer.objects.for_company(company).select_for_update().get(pk=proposal.customer_id)
    if customer.invoicing_id:
        raise HaulbillError(
            "customer_already_linked",
            _("%(name)s is already linked to invoicing ID %(id)s.")
            % {"name": customer.name, "id": customer.invoicing_id},
        )
    other = Customer.objects.for_company(company).filter(invoicing_id=proposal.remote_id).first()
    if other is not None:
        raise HaulbillError(
            "invoicing_id_taken",
            _("Invoicing ID %(id)s is already linked to %(name)s.") % {"id": proposal.remote_id, "name": other.name},
        )
    customer.invoicing_id = proposal.remote_id
    customer.invoicing_provider = proposal.provider
    customer.save(update_fields=["invoicing_id", "invoicing_provider", "updated_at"])
    _decide(proposal, ProposalStatus.ACCEPTED, by)
    audit.record(
        company, by, audit.CUSTOMER_LINKED, customer, invoicing_id=customer.invoicing_id, method="proposal",
        proposal_id=proposal.pk, score=proposal.score,
    )  # fmt: skip
    # The alternatives lose: the customer has its party, the party its customer.
    for loser in (
        LinkProposal.objects.for_company(company)
        .filter(status=ProposalStatus.PENDING)
        .filter(Q(customer_id=customer.pk) | Q(remote_id=proposal.remote_id))
    ):
        _decide(loser, ProposalStatus.REJECTED, by)


def _pending(company: Company, proposal_id: int) -> LinkProposal:
    proposal = LinkProposal.objects.for_company(company).select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise HaulbillError("not_found", _("No such proposal."), status=404)
    if proposal.status != ProposalStatus.PENDING:
        raise HaulbillError(
            "proposal_decided", _("This proposal was already %(status)s.") % {"status": proposal.get_status_display()}
        )
    return proposal


def accept_proposal(company: Company, proposal_id: int, *, by: Any = None) -> LinkProposal:
    with transaction.atomic():
        proposal = _pending(company, proposal_id)
        _accept(company, proposal, by)
    return proposal


def reject_proposal(company: Company, proposal_id: int, *, by: Any = None) -> LinkProposal:
    with transaction.atomic():
        proposal = _pending(company, proposal_id)
        _decide(proposal, ProposalStatus.REJECTED, by)
    return proposal


def accept_proposals_above(company: Company, threshold: int, *, by: Any = None) -> int:
    """Accept every unambiguous pending proposal scoring at least `threshold`, best first; one transaction.

    Ambiguous proposals are left for a person: the data cannot say which candidate is right.
    """
    accepted = 0
    with transaction.atomic():
        candidates = list(
            LinkProposal.objects.for_company(company)
            .select_for_update()
            .filter(status=ProposalStatus.PENDING, ambiguous=False, score__gte=threshold)
            .order_by("-score", "id")
        )
        for proposal in candidates:
            proposal.refresh_from_db(fields=["status"])
            if proposal.status != ProposalStatus.PENDING:
                continue
            try:
                with transaction.atomic():
                    _accept(company, proposal, by)
            except HaulbillError:
                continue
            accepted += 1
    return accepted


# one side empty ----------------------------------------------------------------------------------------------------
@dataclass
class PushResult:
    created: int = 0
    linked_existing: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)  # {"customer": name, "reason": sentence}

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary()}

    def summary(self) -> str:
        return _("%(created)d customers created in the invoicing platform, %(existing)d linked to an existing "
                 "customer there, %(failed)d failed.") % {
            "created": self.created, "existing": self.linked_existing, "failed": len(self.failed)}  # fmt: skip


def _store_link(company: Company, customer_id: int, remote_id: str, provider_key: str) -> bool:
    """Write one ID at once (its own transaction) so a crash later cannot lose it; False if already taken."""
    try:
        with transaction.atomic():
            updated = (
                Customer.objects.for_company(company)
                .filter(pk=customer_id, invoicing_id="")
                .update(invoicing_id=remote_id, invoicing_provider=provider_key, updated_at=timezone.now())
            )
    except IntegrityError:
        return False
    return bool(updated)


def push_customers(company: Company, progress: Progress | None = None) -> PushResult:
    """Create every unlinked active customer in the provider and store the IDs (an existing party with the same
    VAT number is linked instead of created)."""
    provider = provider_or_error(company)
    try:
        remotes = list(provider.list_customers())
    except ProviderError as exc:
        raise _provider_error(exc) from None
    by_vat: dict[str, str] = {}
    for remote in remotes:
        vat = _compact_vat(remote.vat_number, remote.country)
        if vat:
            by_vat.setdefault(vat, remote.remote_id)
    taken = linked_ids(company)
    todo = list(Customer.objects.for_company(company).filter(invoicing_id="", is_active=True).order_by("id"))
    result = PushResult()
    for done, customer in enumerate(todo, start=1):
        vat = _compact_vat(customer.vat_number, customer.country)
        existing = by_vat.get(vat) if vat else None
        try:
            if existing is not None:
                remote_id, created = existing, False
            else:
                remote_id, created = provider.create_customer(customer), True
        except ProviderError as exc:
            if exc.code in ("provider_auth", "provider_unavailable"):
                raise _provider_error(exc) from None  # stop: the next run resumes from the stored IDs
            result.failed.append({"customer": customer.name, "reason": exc.message})
            continue
        if remote_id in taken or not _store_link(company, customer.pk, remote_id, provider.key):
            other = Customer.objects.for_company(company).filter(invoicing_id=remote_id).first()
            result.failed.append({
                "customer": customer.name,
                "reason": _("The invoicing platform matched it to customer %(id)s, already linked to %(name)s.")
                % {"id": remote_id, "name": other.name if other else "?"},
            })  # fmt: skip
        else:
            taken[remote_id] = customer.pk
            if vat:
                by_vat[vat] = remote_id
            if created:
                result.created += 1
            else:
                result.linked_existing += 1
        if progress:
            progress(done, len(todo))
    return result


@dataclass
class ImportResult:
    created: int = 0
    linked: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary()}

    def summary(self) -> str:
        return _("%(created)d customers created, %(linked)d existing customers linked by VAT number, %(skipped)d "
                 "skipped.") % {"created": self.created, "linked": self.linked, "skipped": self.skipped}  # fmt: skip


def import_customers(company: Company, progress: Progress | None = None) -> ImportResult:
    """Create a customer for every provider customer not linked yet; one whose VAT number matches an existing
    customer links that customer instead. One transaction."""
    provider = provider_or_error(company)
    try:
        remotes = list(provider.list_customers(progress))
    except ProviderError as exc:
        raise _provider_error(exc) from None
    result = ImportResult()
    with transaction.atomic():
        taken = linked_ids(company)
        by_vat: dict[str, Customer] = {}
        for customer in Customer.objects.for_company(company).select_for_update().exclude(vat_number=""):
            by_vat.setdefault(_compact_vat(customer.vat_number, customer.country), customer)
        to_create: list[Customer] = []
        to_link: list[Customer] = []
        for remote in remotes:
            if remote.remote_id in taken:
                continue
            vat = _compact_vat(remote.vat_number, remote.country)
            match = by_vat.get(vat) if vat else None
            if match is not None:
                if match.invoicing_id:
                    result.skipped += 1
                    result.warnings.append(
                        _("%(name)s (%(id)s) has the VAT number of %(customer)s, already linked to %(other)s.")
                        % {
                            "name": remote.name,
                            "id": remote.remote_id,
                            "customer": match.name,
                            "other": match.invoicing_id,
                        }
                    )
                    continue
                match.invoicing_id, match.invoicing_provider = remote.remote_id, provider.key
                to_link.append(match)
                taken[remote.remote_id] = match.pk
                continue
            if not remote.name:
                result.skipped += 1
                continue
            customer = _customer_from(company, remote, provider.key, result)
            to_create.append(customer)
            taken[remote.remote_id] = 0
            if vat:
                by_vat[vat] = customer
        Customer.objects.bulk_update(to_link, ["invoicing_id", "invoicing_provider"], batch_size=500)
        Customer.objects.bulk_create(to_create, batch_size=500)
        _resolve_pending(company, customer_ids={c.pk for c in to_link}, remote_ids={c.invoicing_id for c in to_link})
    result.created, result.linked = len(to_create), len(to_link)
    return result


def _customer_from(company: Company, remote: RemoteCustomer, provider_key: str, result: ImportResult) -> Customer:
    country = (remote.country or "BE").upper()[:2]
    try:
        vat = numbers.normalise_vat(remote.vat_number, country)
    except numbers.NumberError:
        vat = _compact_vat(remote.vat_number)[:20]
        result.warnings.append(
            _("%(name)s: the VAT number %(vat)s looks wrong; check it on the customer page.")
            % {"name": remote.name, "vat": remote.vat_number}
        )
    customer = Customer(
        company=company,
        name=remote.name[:200],
        vat_number=vat,
        enterprise_number=re.sub(r"[^0-9A-Z]", "", remote.enterprise_number.upper())[:20],
        street=remote.street[:200],
        postcode=remote.postcode[:20],
        city=remote.city[:100],
        country=country,
        email=remote.email[:254],
        language=remote.language if remote.language in ("en", "fr", "nl") else company.language,
        invoicing_provider=provider_key,
        invoicing_id=remote.remote_id,
    )
    customer.fill_derived_numbers()
    return customer


# jobs ------------------------------------------------------------------------------------------------------------------
def start_job(company: Company, kind: str, *, user: Any = None) -> Job:
    """Queue linking, pushing or importing as a background job; the page polls the returned Job."""
    from . import tasks

    task = {LINK_JOB: tasks.link_customers_task, PUSH_JOB: tasks.push_customers_task,
            IMPORT_JOB: tasks.import_customers_task}[kind]  # fmt: skip
    job = create_job(company, kind, user=user if getattr(user, "pk", None) else None)
    task(job.pk)
    return job
