-- Whether a household larger than one family room agreed to take several rooms of the
-- same site; placement proposes that only with this consent.
ALTER TABLE households ADD COLUMN accepts_several_rooms boolean NOT NULL DEFAULT false;
