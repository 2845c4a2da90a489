"""factory-boy factories and small builders for framework content."""

import factory
from django.contrib.auth.hashers import make_password

from ladder.areas import AREA_KINDS, EXPECTATION_KINDS
from ladder.formats.document import (
    AreaDoc,
    BehaviourDoc,
    GroupDoc,
    LevelDoc,
    ResponsibilityDoc,
    derived_key,
)
from ladder.models import Framework, Track, User
from ladder.services import create_levels

PASSWORD = "correct horse battery"
_HASHED: dict[tuple[str, ...], str] = {}


def hashed_password() -> str:
    """PASSWORD hashed once per hasher setting, not once per person: fixtures made for a
    whole module run before tests/conftest.py makes hashing fast, and a real hash takes
    half a second (a dozen people took six)."""
    from django.conf import settings

    hashers = tuple(settings.PASSWORD_HASHERS)
    if hashers not in _HASHED:
        _HASHED[hashers] = make_password(PASSWORD)
    return _HASHED[hashers]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.LazyFunction(hashed_password)


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track
        django_get_or_create = ["name"]

    name = "Machine Learning"
    slug = factory.LazyAttribute(lambda t: t.name.lower().replace(" ", "-"))


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework

    name = "Test Framework"
    version = factory.Sequence(lambda n: n + 1)


def level_doc(
    code: str = "IC4",
    title: str = "Machine Learning Engineer",
    *,
    track: str = "Machine Learning",
    responsibilities: int = 2,
    behaviours: int = 2,
    text: str = "I do {what} well at {code}",
) -> LevelDoc:
    """A complete level: every area, `responsibilities` per pillar, `behaviours` each."""
    areas = []
    for kind in AREA_KINDS:
        if kind in EXPECTATION_KINDS:
            items = tuple(
                BehaviourDoc(
                    text=text.format(what=f"{kind} {i}", code=code), key=derived_key(kind, None, i)
                )
                for i in range(1, behaviours + 1)
            )
            areas.append(
                AreaDoc(
                    key=kind, description=f"About {kind}", behaviours=items, responsibilities=()
                )
            )
            continue
        groups = []
        for r in range(1, responsibilities + 1):
            name = f"{kind.title()} Part {r}"
            items = tuple(
                BehaviourDoc(
                    text=text.format(what=f"{name.lower()} item {i}", code=code),
                    key=derived_key(kind, name, i),
                )
                for i in range(1, behaviours + 1)
            )
            groups.append(ResponsibilityDoc(name=name, behaviours=items))
        areas.append(
            AreaDoc(key=kind, description="", behaviours=(), responsibilities=tuple(groups))
        )
    return LevelDoc(
        code=code, title=title, track=track, summary=f"I am a {code}", areas=tuple(areas)
    )


def own_level_doc(
    code: str,
    title: str = "Software Engineer",
    *,
    track: str = "Software",
    areas: int = 16,
    behaviours: int = 5,
    groups: int = 4,
) -> LevelDoc:
    """A level of a company's own framework: `areas` areas of its own (in `groups` groups,
    or none) with `behaviours` behaviours each, directly under the area."""
    group_names = [f"Category {g}" for g in range(1, groups + 1)]
    docs = []
    for a in range(1, areas + 1):
        name = f"Competency {a}"
        group = group_names[(a - 1) * groups // areas] if groups else ""
        items = tuple(
            BehaviourDoc(f"I show competency {a} in way {i} at {code}", f"competency-{a}-{i}")
            for i in range(1, behaviours + 1)
        )
        docs.append(
            AreaDoc(f"competency-{a}", f"What competency {a} covers", items, name=name, group=group)
        )
    return LevelDoc(
        code=code,
        title=title,
        track=track,
        summary=f"I am a {code}",
        areas=tuple(docs),
        groups=tuple(GroupDoc(name) for name in group_names),
    )


def make_framework(
    *docs: LevelDoc, name: str = "Test Framework", publish: bool = True
) -> Framework:
    """A framework version holding these levels, published unless asked otherwise."""
    framework = FrameworkFactory(
        name=name, version=Framework.next_version_number(name.lower().replace(" ", "-"))
    )
    create_levels(framework=framework, documents=list(docs))
    if publish:
        framework.publish()
    return framework
